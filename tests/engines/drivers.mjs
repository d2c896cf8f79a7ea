// One small page API over three browser engines, each driven by the tool that fits it and each
// the machine's own build (never a downloaded browser):
//   chromium  Debian's Chromium through playwright-core (CDP)
//   firefox   Debian's firefox-esr through puppeteer-core (WebDriver BiDi)
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver (W3C WebDriver, selenium-webdriver),
//             under xvfb-run (MiniBrowser needs a display)
// Pages are driven through script (`evaluate`) and real key presses (`press`); everything else a
// test needs (filling the emulators' same-origin frames, waiting) is built on those two.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export const ENGINES = (process.env.PASARELA_ENGINES || 'chromium,firefox,webkit').split(',');
const BIN = {
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  firefox: process.env.FIREFOX || '/usr/bin/firefox-esr',
  webkitDriver: process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver',
  miniBrowser: process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
};

/** Starts `engine`; resolves `{ name, version, newPage(), close() }`. */
export async function launch(engine) {
  if (engine === 'chromium') return launchChromium();
  if (engine === 'firefox') return launchFirefox();
  if (engine === 'webkit') return launchWebKit();
  throw new Error(`unknown engine ${engine}`);
}

async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: BIN.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      return {
        goto: (url) => page.goto(url).then(() => undefined),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        press: (key) => page.keyboard.press(key),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox() {
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: BIN.firefox, headless: true, protocol: 'webDriverBiDi',
    // No first-run pages, no telemetry or updates reaching for the network.
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false, 'browser.shell.checkDefaultBrowser': false },
  });
  return {
    name: 'firefox',
    version: (await browser.version()).replace(/^firefox\//i, 'Firefox '),
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      return {
        goto: (url) => page.goto(url).then(() => undefined),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        press: (key) => page.keyboard.press(key === ' ' ? 'Space' : key),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

async function launchWebKit() {
  const { Builder, Key } = await import('selenium-webdriver');
  const port = await freePort();
  // xvfb-run gives the driver (and the MiniBrowser it starts) a display of its own.
  const driverProcess = spawn('xvfb-run', ['-a', BIN.webkitDriver, `--port=${port}`, '--host=127.0.0.1'], { stdio: 'ignore', detached: true });
  const server = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    try { if ((await fetch(`${server}/status`)).ok) break; } catch { /* not up yet */ }
    if (i > 100) throw new Error('WebKitWebDriver did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: BIN.miniBrowser, args: ['--automation'] } };
  const KEYS = { ArrowDown: Key.ARROW_DOWN, ArrowUp: Key.ARROW_UP, ArrowLeft: Key.ARROW_LEFT, ArrowRight: Key.ARROW_RIGHT, Enter: Key.ENTER, Tab: Key.TAB, Home: Key.HOME, End: Key.END, Escape: Key.ESCAPE, ' ': Key.SPACE };
  let version = 'WebKitGTK';
  const sessions = new Set();
  return {
    name: 'webkit',
    get version() { return version; },
    async newPage() {
      // One WebDriver session per page: each is a fresh MiniBrowser with its own storage.
      const driver = await new Builder().usingServer(server).withCapabilities(capabilities).build();
      sessions.add(driver);
      const caps = await driver.getCapabilities();
      version = `WebKitGTK ${caps.get('browserVersion')}`;
      await driver.manage().setTimeouts({ script: 60_000 });
      return {
        goto: (url) => driver.get(url),
        async evaluate(fn, arg) {
          const r = await driver.executeAsyncScript(
            `const done = arguments[arguments.length - 1];
             Promise.resolve().then(() => (${fn})(arguments[0])).then((v) => done({ v: v === undefined ? null : v }), (e) => done({ e: String(e && e.stack || e) }));`,
            arg === undefined ? null : arg,
          );
          if (r.e) throw new Error(`in page: ${r.e}`);
          return r.v;
        },
        press: (key) => driver.actions().sendKeys(KEYS[key] || key).perform(),
        async close() { sessions.delete(driver); await driver.quit(); },
      };
    },
    async close() {
      for (const d of sessions) await d.quit().catch(() => {});
      try { process.kill(-driverProcess.pid); } catch { /* gone */ }
    },
  };
}
