// Type-checks every ```ts and ```tsx block of the READMEs against the built package's types, as
// a storefront's strict TypeScript would: a README example that stops compiling fails `npm test`.
// Each block is its own module; `pasarela` resolves to pkg/pasarela.d.ts, `pasarela/react` to
// pkg/react.d.ts (with React's own types). The ```html/```js example of `<pasarela-checkout>` is
// run in the browser instead (tests/e2e/element.test.mjs).
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
  for (const [, ext, code] of text.matchAll(/^```(tsx?)\n([\s\S]*?)^```$/gm)) {
    const name = `${readme.replace(/[^\w]+/g, '_')}_${++n}.${ext}`;
    writeFileSync(join(out, name), code.includes('import ') ? code : `export {};\n${code}`);
    files.push(name);
  }
  if (n === 0) throw new Error(`${readme}: no \`\`\`ts block to check`);
  console.log(`${readme}: ${n} TypeScript blocks checked`);
}
writeFileSync(join(out, 'tsconfig.json'), JSON.stringify({
  extends: join(ROOT, 'tests/types/tsconfig.json'),
  compilerOptions: {
    jsx: 'react-jsx',
    paths: { pasarela: [join(ROOT, 'pkg/pasarela.d.ts')], 'pasarela/react': [join(ROOT, 'pkg/react.d.ts')] },
  },
  files,
}));
execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', out], { stdio: 'inherit' });
