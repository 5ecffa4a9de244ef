// The console in a real browser (Debian's chromium through playwright-core) against a real
// registrar started by run.sh: sign-in, the identifiers page, the audit log, what a person
// without a scope sees, languages, sign-out, and an axe-core pass over every page. The strict
// Content-Security-Policy stays on: a blocked script or style fails the test.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

const require = createRequire(path.join(process.env.NPM_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const base = process.env.REGISTRAR_URL;
const shots = process.env.SCREENSHOTS;
let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
after(async () => browser?.close());

// A fresh page whose console is recorded; CSP violations and script errors are failures.
async function newPage(t, options = {}) {
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

async function check(page, t, fn) {
  try {
    await fn();
    assert.deepEqual(page.problems(), [], 'no script errors and no CSP violations');
  } catch (e) {
    page.dumpLog();
    await page.screenshot({ path: path.join(shots, `failed-${t.name.replace(/\W+/g, '-')}.png`) });
    throw e;
  }
}

async function signIn(page, user, password) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

// No serious or critical axe-core violation on the page as it is now. axe runs through the
// DevTools protocol (page.evaluate), which the page's CSP does not govern.
async function accessible(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(`${axeSource};0`);
  const result = await page.evaluate(() => window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [],
    `accessibility of ${name}`);
}

// A token for the API directly, through the console's public client.
async function tokenFor(user, password) {
  const r = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'console', username: user, password }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).access_token;
}

test('sign-in refuses a wrong password in words, then shows the overview', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await page.goto(`${base}/console/`);
    await accessible(page, 'sign-in');
    await page.getByLabel('User name').fill('officer');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown user or wrong password' }).waitFor();

    await page.getByLabel('Password').fill('officer-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('Signed in as officer').waitFor();
    await page.getByText('The server is healthy (ok).').waitFor();
    assert.match(await page.locator('main').innerText(), /ids/);
    await page.getByRole('heading', { name: 'Recent audit events' }).waitFor();
    await page.locator('main table').nth(1).locator('tbody tr').first().waitFor();
    await accessible(page, 'overview');
    // The token is nowhere the browser keeps across loads.
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
    assert.deepEqual(stored, [0, 0, '']);
  });
});

test('issue a UIN and validate it; an invalid one lists its reasons', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, 'officer', 'officer-pass-1');
    await page.getByRole('link', { name: 'Identifiers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Identifiers' }).waitFor();
    const issue = page.locator('section', { has: page.getByRole('heading', { name: 'Issue identifiers' }) });
    await issue.getByLabel('Type').selectOption('uin');
    await issue.getByLabel('Count').fill('2');
    await issue.getByRole('button', { name: 'Issue' }).click();
    await issue.getByText('2 UIN issued:').waitFor();
    const uins = await issue.locator('ul.issued li').allInnerTexts();
    assert.equal(uins.length, 2);
    for (const u of uins) assert.match(u, /^\d{10}$/);

    // The issued IDs are in the registry, as the API tells with another token.
    const token = await tokenFor('officer', 'officer-pass-1');
    const rec = await fetch(`${base}/v1/ids/uin/${uins[0]}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(rec.status, 200);
    assert.equal((await rec.json()).status, 'ISSUED');

    const validate = page.locator('section', { has: page.getByRole('heading', { name: 'Validate an identifier' }) });
    await validate.getByLabel('Type').selectOption('uin');
    await validate.getByLabel('Identifier').fill(uins[0]);
    await validate.getByRole('button', { name: 'Validate' }).click();
    await validate.getByText(`${uins[0]} is valid.`).waitFor();

    await validate.getByLabel('Identifier').fill('1111111111');
    await validate.getByRole('button', { name: 'Validate' }).click();
    await validate.getByText('1111111111 is not valid:').waitFor();
    const reasons = await validate.locator('.validation li').allInnerTexts();
    assert.ok(reasons.length >= 1, 'at least one reason');
    for (const r of reasons) assert.match(r, /^KER-IDV-\d+ \S/);

    const capacity = page.locator('section', { has: page.getByRole('heading', { name: 'Capacity and use' }) });
    const uinRow = capacity.locator('tbody tr', { hasText: 'UIN' });
    assert.equal(await uinRow.locator('td').nth(1).innerText(), '2');
    await accessible(page, 'identifiers');
  });
});

test('the audit log filters on the server', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, 'officer', 'officer-pass-1');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('main tbody tr').first().waitFor();
    await page.getByLabel('Action').fill('identity.user');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('main tbody tr', { hasText: 'identity.user.add' }).first().waitFor();
    const actions = await page.locator('main tbody tr td:nth-child(3)').allInnerTexts();
    assert.ok(actions.length >= 2, 'both users were created');
    for (const a of actions) assert.match(a, /^identity\.user\./);
    assert.ok(await page.getByRole('button', { name: 'Older' }).isDisabled());
    await accessible(page, 'audit');
  });
});

test('a person without a scope does not see its actions, and the API refuses them', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, 'clerk', 'clerk-pass-1');
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Identifiers' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Recent audit events' }).count(), 0);
    await nav.getByRole('link', { name: 'Identifiers' }).click();
    await page.getByRole('heading', { name: 'Validate an identifier' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Issue identifiers' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Capacity and use' }).count(), 0);
    // The address of a page the person may not use shows the first one they may.
    await page.evaluate(() => { location.hash = '#/audit'; });
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // A reload signs out: the token was in the page's memory only.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();

    const token = await tokenFor('clerk', 'clerk-pass-1');
    const r = await fetch(`${base}/v1/ids/uin/issue`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 403);
    const events = await fetch(`${base}/v1/audit/events`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(events.status, 403);
  });
});

test('labels follow the chosen language', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, 'officer', 'officer-pass-1');
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Resumen' }).waitFor();
    await page.getByRole('link', { name: 'Identificadores' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    await accessible(page, 'overview-es');
    await page.getByLabel('Idioma').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: 'Vue d’ensemble' }).waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  });
});

test('a browser in Spanish starts in Spanish', async (t) => {
  const page = await newPage(t, { locale: 'es-ES' });
  await check(page, t, async () => {
    await page.goto(`${base}/console/`);
    await page.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
    await page.getByLabel('Usuario').waitFor();
  });
});

test('sign-out forgets the token', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, 'officer', 'officer-pass-1');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await page.getByRole('navigation').isVisible(), false);
    await page.goto(`${base}/console/#/ids`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
});

test('the console is served with a strict policy', async () => {
  const r = await fetch(`${base}/console/`);
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const etag = r.headers.get('etag');
  const again = await fetch(`${base}/console/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${base}/console/nothing-here.js`)).status, 404);
  assert.equal((await fetch(`${base}/console/..%2Fopenapi.yaml`)).status, 404);
});
