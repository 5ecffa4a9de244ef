// The "keys, clients and users" page in a real browser: a user added in the UI signs in on a
// second page, is disabled and then refused; a client added shows its secret once and that
// secret works; a key rotated is listed as pending; a (compromised) key retired after a second
// confirmation — each checked through the API as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { accessible, base, check, cli, newPage, officer, signIn, tokenFor } from './harness.mjs';

async function apiGet(path) {
  const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${await tokenFor(officer)}` } });
  assert.equal(r.status, 200);
  return r.json();
}

async function openPage(page) {
  await signIn(page, officer);
  await page.getByRole('link', { name: 'Keys, clients and users' }).click();
  await page.getByRole('heading', { level: 1, name: 'Keys, clients and users' }).waitFor();
}

const card = (page, name) => page.locator('section', { has: page.getByRole('heading', { level: 2, name }) });

test('keys: a user added in the UI signs in, and once disabled is refused', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await openPage(page);
    const users = card(page, 'Users');
    await users.locator('tbody tr', { hasText: 'officer' }).waitFor();
    await accessible(page, 'keys');

    await users.getByLabel('User name', { exact: true }).fill('nadia');
    await users.getByLabel('Password', { exact: true }).fill('nadia-pass-1');
    await users.getByLabel('Scopes (separated by spaces)').fill('ids:validate');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByText('User nadia added.').waitFor();
    const row = users.locator('tbody tr', { hasText: 'nadia' });
    await row.getByText('Enabled').waitFor();
    assert.match(await row.innerText(), /ids:validate/);
    // Too short a password is refused in the API's words.
    await users.getByLabel('User name', { exact: true }).fill('olga');
    await users.getByLabel('Password', { exact: true }).fill('short-1');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();

    // The new user signs in on a second page and sees what ids:validate allows.
    const second = await newPage(t);
    await check(second, t, async () => {
      await signIn(second, ['nadia', 'nadia-pass-1']);
      await second.getByText('Signed in as nadia').waitFor();
      assert.equal(await second.getByRole('link', { name: 'Keys, clients and users' }).count(), 0);
    });
    const nadia = await tokenFor(['nadia', 'nadia-pass-1']);

    // Filtered on the server: only nadia.
    await users.getByLabel('User name starts with').fill('nad');
    await users.getByRole('button', { name: 'Filter' }).click();
    await users.getByRole('cell', { name: 'officer', exact: true }).waitFor({ state: 'detached' });
    assert.equal(await users.locator('tbody tr').count(), 1);

    await users.getByRole('button', { name: 'Disable nadia' }).click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await users.getByRole('button', { name: 'Enable nadia' }).waitFor();
    await accessible(page, 'keys-user-disabled');
    const listed = await apiGet('/v1/identity/users?prefix=nadia');
    assert.equal(listed.users[0].disabled, true);

    // Her sign-in is refused, and the token she held is no longer accepted.
    const third = await newPage(t);
    await check(third, t, async () => {
      await third.goto(`${base}/console/`);
      await third.getByLabel('User name').fill('nadia');
      await third.getByLabel('Password').fill('nadia-pass-1');
      await third.getByRole('button', { name: 'Sign in' }).click();
      await third.getByRole('alert').filter({ hasText: 'unknown user or wrong password' }).waitFor();
    });
    const who = await fetch(`${base}/v1/identity/whoami`, { headers: { Authorization: `Bearer ${nadia}` } });
    assert.equal(who.status, 401);
  });
});

test('keys: a client added shows its secret once, and the secret works', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await openPage(page);
    const clients = card(page, 'Clients');
    await clients.getByLabel('Client id', { exact: true }).fill('payroll-app');
    await clients.getByLabel('Scopes (separated by spaces)').fill('ids:validate audit:read');
    await clients.getByLabel('Description').fill('Payroll export');
    await clients.getByRole('button', { name: 'Add client' }).click();
    await clients.getByText('Client payroll-app added. Copy its secret now').waitFor();
    const secret = await clients.locator('code').innerText();
    assert.ok(secret.length >= 16);
    await clients.locator('tbody tr', { hasText: 'payroll-app' }).getByText('Payroll export').waitFor();
    await accessible(page, 'keys-client-added');

    const grant = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`payroll-app:${secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    assert.equal(grant.status, 200);
    assert.equal((await grant.json()).scope, 'ids:validate audit:read');
    // The list never holds the secret.
    assert.ok(!JSON.stringify(await apiGet('/v1/identity/clients')).includes(secret));
  });
});

test('keys: a rotated key is published at once and listed as pending', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await openPage(page);
    const keys = card(page, 'Signing keys');
    await keys.getByText('Active', { exact: true }).first().waitFor();
    const before = await keys.locator('tbody tr').count();
    await keys.getByLabel('Algorithm').selectOption('ES256');
    await keys.getByRole('button', { name: 'Rotate' }).click();
    const notice = await page.getByText(/^New key \S+ published\.$/);
    await notice.waitFor();
    const kid = (await notice.innerText()).split(' ')[2];
    const row = keys.locator('tbody tr', { hasText: kid });
    await row.getByText('Pending (published, not signing yet)').waitFor();
    assert.match(await row.innerText(), /ES256/);
    assert.equal(await keys.locator('tbody tr').count(), before + 1);
    await accessible(page, 'keys-rotated');
    await page.setViewportSize({ width: 768, height: 1024 });
    const [scrollWidth, width] = await page.evaluate(() =>
      [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= width, `no horizontal scrolling on a tablet (${scrollWidth} > ${width})`);
    await accessible(page, 'keys-tablet');

    const listed = await apiGet('/v1/identity/keys');
    assert.equal(listed.keys.find((k) => k.kid === kid).state, 'pending');
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    assert.ok(jwks.keys.some((k) => k.kid === kid), 'the new key is in the JWKS');
  });
});

test('keys: retiring a key asks again, then the key leaves the JWKS', async (t) => {
  // A key published but not signing yet (`keys new` without --now schedules no retirement), so
  // that retiring it leaves the signing key alone.
  const kid = cli('keys', 'new').trim().split(/\s+/)[0];
  const page = await newPage(t);
  await check(page, t, async () => {
    await openPage(page);
    const keys = card(page, 'Signing keys');
    const row = keys.locator('tbody tr', { hasText: kid });
    await row.getByText('Pending (published, not signing yet)').waitFor();
    await row.getByRole('button', { name: `Retire key ${kid}` }).click();
    await row.getByText('Only for a compromised key').waitFor();
    await accessible(page, 'keys-retire-confirm');
    await row.getByRole('button', { name: `Retire now: key ${kid}` }).click();
    await page.getByText(`Key ${kid} retired.`).waitFor();
    await row.getByText('Retired', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button').count(), 0);

    const listed = await apiGet('/v1/identity/keys');
    assert.equal(listed.keys.find((k) => k.kid === kid).state, 'retired');
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    assert.ok(!jwks.keys.some((k) => k.kid === kid), 'the retired key left the JWKS');
    // The officer's session (signed by the active key) goes on.
    assert.equal(listed.keys.filter((k) => k.state === 'active').length, 1);
  });
});
