// Shared by the console's browser tests (*.test.mjs, one file per page): the browser, pages
// whose console is recorded (a script error or a CSP violation fails the test), sign-in, an
// axe-core pass with a screenshot, tokens and CLI verbs against the registrar run.sh started.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';

const require = createRequire(path.join(process.env.NPM_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const base = process.env.REGISTRAR_URL;
const shots = process.env.SCREENSHOTS;
// Users run.sh created: `officer` holds every scope the modules define, `clerk` ids:validate.
export const officer = ['officer', 'officer-pass-1'];
export const clerk = ['clerk', 'clerk-pass-1'];
let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
after(async () => browser?.close());

// A fresh page whose console is recorded.
export async function newPage(t, options = {}) {
  const context = await browser.newContext({ locale: 'en-GB', ...options });
  const page = await context.newPage();
  const log = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  t.after(async () => {
    await context.close();
  });
  page.problems = () => log.filter((l) => l.startsWith('pageerror') || /Content Security Policy/.test(l));
  page.dumpLog = () => console.log(`--- browser console\n${log.join('\n')}`);
  return page;
}

// Runs `fn`; then no script error and no CSP violation may have happened. On failure: the
// browser's console and a screenshot.
export async function check(page, t, fn) {
  try {
    await fn();
    assert.deepEqual(page.problems(), [], 'no script errors and no CSP violations');
  } catch (e) {
    page.dumpLog();
    await page.screenshot({ path: path.join(shots, `failed-${t.name.replace(/\W+/g, '-')}.png`) });
    throw e;
  }
}

export async function signIn(page, [user, password]) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

// A screenshot, then no serious or critical axe-core violation on the page as it is now. axe
// runs through the DevTools protocol (page.evaluate), which the page's CSP does not govern.
export async function accessible(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(`${axeSource};0`);
  const result = await page.evaluate(() => window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [],
    `accessibility of ${name}`);
}

// A token for the API directly, through the console's public client.
export async function tokenFor([user, password]) {
  const r = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'console', username: user, password }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).access_token;
}

// A CLI verb against the server's database and keys (`registrar --config … <args>`); its output.
// registrar reads every REGISTRAR_* variable as configuration and refuses unknown ones, so the
// test's own (REGISTRAR_URL, …) are left out of its environment.
export function registrarEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRAR_')));
}

// A last argument that is an object gives the verb's standard input: `{ input: 'secret\n' }`.
export function cli(...args) {
  const { input } = typeof args.at(-1) === 'object' ? args.pop() : {};
  return execFileSync(process.env.REGISTRAR_BINARY, ['--config', process.env.REGISTRAR_CONFIG, ...args],
    { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: registrarEnv(), input });
}
