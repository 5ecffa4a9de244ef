// The "roles and proxies" page in a real browser: court events fed through the event handler
// API, then an estate looked up, individual proxies added in the UI until the collective proxy
// appears with its reason, and one removed so that it goes — checked through the API as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { accessible, base, check, newPage, officer, signIn, tokenFor } from './harness.mjs';

// run.sh's authz.event_secret; the codes of the default (Digitalt dødsbo) vocabulary.
const eventSecret = 'console-test-events';
const probate = 'urn:domstolene:digitaltdodsbo:skifteattest';
const asset = 'urn:domstolene:digitaltdodsbo:formuesfullmakt';
const estate = '11111111111';
const [heirA, heirB, other, proxy] = ['22222222211', '33333333311', '55555555511', '44444444411'];

// A court's case event (CloudEvents 1.0) naming the estate's heirs and their roles.
async function courtEvent(heirs) {
  const data = {
    time: '2025-08-01T17:59:00+00:00', caseId: '3f1c2d1e-0000-4000-8000-000000000019',
    caseNumber: 'console-19', caseStatus: 'MOTTATT', districtCourtName: 'Oslo tingrett',
    probateDeadline: '2025-10-01T00:00:00+00:00',
    heirRolesV2: heirs.map(([nin, role]) => ({ type: 'Person', nin, role,
      relation: 'urn:digitaltdodsbo:arving:barn', probateCertificateRecipient: false, signedDate: null })),
  };
  const r = await fetch(`${base}/api/v1/eventhandler?auth=${eventSecret}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: 'evt-console-1', specversion: '1.0', source: 'https://platform.tt02.altinn.no/dd',
      type: 'no.altinn.events.digitalt-dodsbo.v1.case-status-update-validated',
      subject: `/person/${estate}`, resource: 'urn:altinn:resource:dd',
      time: '2025-08-01T18:00:00+00:00', data: JSON.stringify(data),
    }),
  });
  assert.equal(r.status, 200, await r.text());
}

async function report() {
  const token = await tokenFor(officer);
  const r = await fetch(`${base}/v1/authz/estates/${estate}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  return r.json();
}
const collectiveOf = (r, recipient) =>
  r.proxies.find((p) => p.recipient === recipient && p.reason.kind === 'collective');

test('roles and proxies: the collective proxy appears with its reason and goes', async (t) => {
  await courtEvent([[heirA, probate], [heirB, probate], [other, asset]]);
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, officer);
    await page.getByRole('link', { name: 'Roles and proxies' }).click();
    await page.getByRole('heading', { level: 1, name: 'Roles and proxies' }).waitFor();
    await accessible(page, 'authz');

    // A wrong SSN is refused in the API's words.
    await page.getByLabel('Estate (SSN)').fill('1234567890x');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid EstateSsn' }).waitFor();

    await page.getByLabel('Estate (SSN)').fill(estate);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: `Estate ${estate}` }).waitFor();
    const roles = page.locator('table').first();
    assert.equal(await roles.locator('tbody tr').count(), 3);
    assert.match(await roles.locator('tbody tr', { hasText: heirA }).innerText(), /Court event/);
    await page.getByText('No proxies.').waitFor();

    // The first grant: an individual proxy from A, no collective proxy yet.
    const add = page.locator('section', { has: page.getByRole('heading', { name: 'Add an individual proxy' }) });
    await add.getByLabel('Granting heir').selectOption(heirA);
    await add.getByLabel('Recipient (SSN)').fill(proxy);
    await add.getByRole('button', { name: 'Add proxy' }).click();
    await page.getByText(`Individual proxy granted by heir ${heirA}`).waitFor();
    assert.equal(await page.getByText('Collective proxy:').count(), 0);
    await accessible(page, 'authz-individual');

    // The second heir's grant makes the collective proxy hold, with its rule and heirs.
    await add.getByLabel('Granting heir').selectOption(heirB);
    await add.getByLabel('Recipient (SSN)').fill(proxy);
    await add.getByRole('button', { name: 'Add proxy' }).click();
    const why = `Collective proxy: individual proxies from all probate heirs (${heirA}, ${heirB})`;
    await page.getByText(why).waitFor();
    await accessible(page, 'authz-collective');
    let r = await report();
    assert.equal(collectiveOf(r, proxy).reason.rule, 'all_probate_heirs');
    assert.deepEqual(collectiveOf(r, proxy).reason.granted_by, [heirA, heirB]);

    // B withdraws: the collective proxy goes, A's grant stays.
    await page.getByRole('button', { name: `Remove proxy from ${heirB} to ${proxy}` }).click();
    await page.getByText(why).waitFor({ state: 'detached' });
    await page.getByText(`Individual proxy granted by heir ${heirA}`).waitFor();
    assert.equal(await page.getByText(`Individual proxy granted by heir ${heirB}`).count(), 0);
    r = await report();
    assert.equal(collectiveOf(r, proxy), undefined);
    assert.equal(r.proxies.length, 1);
    await accessible(page, 'authz-removed');

    // On a tablet the long role codes wrap: the page does not scroll sideways.
    await page.setViewportSize({ width: 768, height: 1024 });
    const [scrollWidth, width] = await page.evaluate(() =>
      [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= width, `no horizontal scrolling (${scrollWidth} > ${width})`);
    await accessible(page, 'authz-tablet');
  });
});
