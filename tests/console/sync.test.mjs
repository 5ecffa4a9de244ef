// The sync page in a real browser: a machine onboarded in the UI with a key generated here
// (the PEM pasted, and a bad key refused in the API's words) is listed with its key index; the
// entity counts include it; once the machine asks for its MOSIP clientsettings (with its key
// index) the page shows its last sync.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';

import { accessible, base, check, newPage, officer, signIn, tokenFor } from './harness.mjs';

async function call(method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await tokenFor(officer)}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

const card = (page, name) => page.locator('section', { has: page.getByRole('heading', { level: 2, name }) });

test('sync: a machine onboarded in the UI is listed, counted, and shows its last sync', async (t) => {
  // A centre for the machine, through the API.
  for (const [path, row] of [
    ['/v1/masterdata/registration_center_types', { code: 'CTS', name: 'Fixed', langCode: 'eng' }],
    ['/v1/masterdata/registration_centers',
      { id: '70001', name: 'Harbour centre', centerTypeCode: 'CTS', langCode: 'eng' }],
  ]) assert.equal((await call('POST', path, row)).status, 201);
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });

  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, officer);
    await page.getByRole('link', { name: 'Sync' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
    await card(page, 'Registration centres').getByRole('cell', { name: 'Harbour centre' }).waitFor();

    const form = card(page, 'Onboard a machine');
    await form.getByLabel('Machine id').fill('30001');
    await form.getByLabel('Machine name').fill('field-laptop');
    await form.getByLabel('Centre id').fill('70001');
    // Not a key: refused, and the API names the field.
    await form.getByLabel('Public key (PEM)').fill('not a key');
    await form.getByRole('button', { name: 'Onboard machine' }).click();
    await form.getByRole('alert').filter({ hasText: /publicKey|key/ }).waitFor();
    await form.getByLabel('Public key (PEM)').fill(pem);
    await form.getByRole('button', { name: 'Onboard machine' }).click();
    await form.getByText(/Machine field-laptop onboarded, key index/).waitFor();

    const machines = card(page, 'Machines');
    const row = machines.locator('tbody tr', { hasText: 'field-laptop' });
    await row.getByText('Not since the server started').waitFor();
    const stored = await call('GET', '/v1/masterdata/machines/30001');
    assert.equal(stored.status, 200);
    assert.equal(stored.body.regCenterId, '70001');
    assert.match(await row.innerText(), new RegExp(stored.body.keyIndex));
    const counts = card(page, 'Master data');
    const machinesCount = (await call('GET', '/v1/masterdata')).body.entities.find((e) => e.name === 'machines').count;
    assert.ok(machinesCount >= 1);
    await counts.locator('tbody tr', { hasText: /^machines/ }).getByRole('cell', { name: String(machinesCount), exact: true }).waitFor();
    await accessible(page, 'sync');

    // The machine syncs (MOSIP clientsettings with its key index); the page shows when.
    const settings = await call('GET', `/v1/syncdata/clientsettings?keyindex=${encodeURIComponent(stored.body.keyIndex)}`);
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    assert.equal(settings.body.errors ?? null, null, JSON.stringify(settings.body.errors));
    const last = (await call('GET', '/v1/sync/machines/last-sync')).body.machines;
    assert.ok(last['30001'], JSON.stringify(last));
    // Away and back: the page reads the machines again.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByRole('link', { name: 'Sync' }).click();
    const synced = card(page, 'Machines').locator('tbody tr', { hasText: 'field-laptop' });
    await synced.getByText('Active', { exact: true }).waitFor();
    assert.doesNotMatch(await synced.innerText(), /Not since the server started/);
    await accessible(page, 'sync-synced');
  });
});
