// Type-checks every ```ts block of the READMEs against the built package's types, as a
// storefront's strict TypeScript would: a README example that stops compiling fails `npm test`.
// Each block is its own module; `pasarela` resolves to pkg/pasarela.d.ts.
//
// Usage: node scripts/check-readme-code.mjs README.md js/README.md
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const out = join(ROOT, 'target/readme-code');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
for (const readme of process.argv.slice(2)) {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  let n = 0;
  for (const [, code] of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = `${readme.replace(/[^\w]+/g, '_')}_${++n}.ts`;
    writeFileSync(join(out, name), code.includes('import ') ? code : `export {};\n${code}`);
    files.push(name);
  }
  if (n === 0) throw new Error(`${readme}: no \`\`\`ts block to check`);
  console.log(`${readme}: ${n} TypeScript blocks checked`);
}
writeFileSync(join(out, 'tsconfig.json'), JSON.stringify({
  extends: join(ROOT, 'tests/types/tsconfig.json'),
  compilerOptions: { paths: { pasarela: [join(ROOT, 'pkg/pasarela.d.ts')] } },
  files,
}));
execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', out], { stdio: 'inherit' });
