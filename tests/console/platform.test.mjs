// The console's shell and platform pages in a real browser: sign-in, the overview, identifiers,
// the audit log, what a person without a scope sees, languages, sign-out, the security headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { accessible, base, check, clerk, newPage, officer, signIn, tokenFor } from './harness.mjs';

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
    // What the registry holds: the same figure as the API gives.
    const counts = page.locator('section.counts');
    await counts.getByRole('heading', { name: 'What the registry holds' }).waitFor();
    const token = await tokenFor(officer);
    const uin = await (await fetch(`${base}/v1/ids/uin/capacity`, { headers: { Authorization: `Bearer ${token}` } })).json();
    const uinRow = counts.locator('tr', { hasText: 'UIN issued' });
    assert.equal((await uinRow.locator('td').nth(1).innerText()).replace(/\D/g, ''), String(uin.issued));
    await counts.locator('tr', { hasText: 'Registration machines' }).waitFor();
    await page.getByRole('heading', { name: 'Recent audit events' }).waitFor();
    await page.locator('section', { has: page.getByRole('heading', { name: 'Recent audit events' }) })
      .locator('tbody tr').first().waitFor();
    await accessible(page, 'overview');
    // The token is nowhere the browser keeps across loads.
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
    assert.deepEqual(stored, [0, 0, '']);
  });
});

test('issue a UIN and validate it; an invalid one lists its reasons', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, officer);
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
    const token = await tokenFor(officer);
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

    // A partner's token ID for the UIN: the same pair gives the same token, as MOSIP's does.
    const tokens = page.locator('section', { has: page.getByRole('heading', { name: 'Token IDs' }) });
    await tokens.getByLabel('UIN').fill(uins[0]);
    await tokens.getByLabel('Partner').fill('partner-7');
    await tokens.getByRole('button', { name: 'Get the token ID' }).click();
    const shown = await tokens.locator('.token-id').innerText();
    const byApi = await fetch(`${base}/v1/ids/tokens/${uins[0]}/partner-7`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await byApi.json()).token_id, shown);

    // A licence key: created, checked, suspended; the API agrees.
    const licences = page.locator('section', { has: page.getByRole('heading', { name: 'Licence keys' }) });
    await licences.getByLabel('Partner').fill('partner-7');
    await licences.getByRole('button', { name: 'Create a licence key' }).click();
    await licences.getByText('Licence key created:').waitFor();
    const key = await licences.getByLabel('Licence key').inputValue();
    assert.ok(key.length > 0);
    await licences.getByRole('button', { name: 'Suspend' }).click();
    await licences.getByText('Licence key changed:').waitFor();
    await licences.locator('dl.licence dd', { hasText: 'SUSPENDED' }).waitFor();
    const lic = await fetch(`${base}/v1/ids/licences/${encodeURIComponent(key)}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await lic.json()).status, 'SUSPENDED');

    const capacity = page.locator('section', { has: page.getByRole('heading', { name: 'Capacity and use' }) });
    // Read again after the issue: the two UINs are counted.
    const uinRow = capacity.locator('tbody tr', { hasText: 'UIN' });
    await uinRow.locator('td', { hasText: /^2$/ }).waitFor();
    assert.equal(await uinRow.locator('td').nth(1).innerText(), '2');
    await accessible(page, 'identifiers');
  });
});

test('the audit log filters on the server', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, officer);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('main tbody tr').first().waitFor();
    await page.getByLabel('Action').fill('identity.user');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('main tbody tr', { hasText: 'identity.user.add' }).first().waitFor();
    // Until the filtered page replaces the first one (other tests' events may include users too).
    await page.locator('main tbody tr td:nth-child(3)', { hasNotText: /^identity\.user\./ }).first()
      .waitFor({ state: 'detached' });
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
    await signIn(page, clerk);
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

    const token = await tokenFor(clerk);
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
    await signIn(page, officer);
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
    await signIn(page, officer);
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
