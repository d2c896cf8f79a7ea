// Where the slow link's time goes (tests/bench/slow-link.mjs's pages and throttling): for each
// side, when every request of the page and of the provider's form frame started, got its first
// byte and ended, and when the form became usable. Not part of `npm test`; run after a build:
//   node tests/bench/slow-link-waterfall.mjs [runs per side, default 2]
import { chromium } from 'playwright-core';
import { startSandbox } from '../../www/server.mjs';
import { CHROMIUM } from '../e2e/helpers.mjs';
import { serveSlowLink, loadOnSlowLink, PROVIDERS } from './slow-link.mjs';

const runs = Number(process.argv[2] || 2);
const sandbox = await startSandbox({ port: 0 });
serveSlowLink(sandbox.server, ['bamboo']);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
try {
  for (let i = 0; i < runs; i++) {
    for (const side of ['alone', 'pasarela']) {
      const url = `${sandbox.url}/tests-bench/slow/bamboo/${side}.html`;
      // Resource timings, in ms from the top page's navigation start (a frame's shifted by its own origin time).
      const { at, seen: rows } = await loadOnSlowLink(browser, url, PROVIDERS.bamboo.usable, (tab) => tab.evaluate(() => {
        const row = (e, shift, label = '') => [label + e.name.replace(location.origin, ''), shift + e.startTime, shift + e.responseStart, shift + e.responseEnd, e.encodedBodySize];
        const out = [row(performance.getEntriesByType('navigation')[0], 0, '[page] ')];
        out.push(...performance.getEntriesByType('resource').map((e) => row(e, 0)));
        for (const f of document.querySelectorAll('iframe')) {
          try {
            const shift = f.contentWindow.performance.timeOrigin - performance.timeOrigin;
            out.push(row(f.contentWindow.performance.getEntriesByType('navigation')[0], shift, '[frame] '));
            out.push(...f.contentWindow.performance.getEntriesByType('resource').map((e) => row(e, shift, '[frame] ')));
          } catch {}
        }
        return out.sort((x, y) => x[1] - y[1]);
      }));
      console.log(`\n${side}: form usable at ${at.toFixed(0)} ms\n start  first    end    bytes  request`);
      for (const [name, start, first, end, bytes] of rows) {
        console.log(`${[start, first, end].map((t) => t.toFixed(0).padStart(6)).join(' ')} ${String(bytes).padStart(8)}  ${name.slice(0, 80)}`);
      }
    }
  }
} finally {
  await browser.close();
  await sandbox.close?.();
}
process.exit(0);
