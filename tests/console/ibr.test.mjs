// The IBR page in a real browser: a programme (a signed DCI sender added through the page)
// reports enrollments; the page searches them on the server, pages through them, shows a
// beneficiary's duplicate candidates with scores and matched fields, and manages the senders.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { accessible, base, check, clerk, newPage, officer, signIn, tokenFor } from './harness.mjs';
import { DciSender, beneficiary, reportEnrollments } from './dci_signer.mjs';
import * as ibrPage from '../../web/console/pages/ibr.js';

async function api(token, path, init = {}) {
  const r = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json', ...(init.headers || {}) } });
  return { status: r.status, body: await r.json().catch(() => null) };
}

test('the IBR page searches enrollments, pages, shows duplicates and manages senders', async (t) => {
  const token = await tokenFor(officer);
  // Every route the page uses is one the server has (and the officer may call).
  const info = await api(token, '/v1/platform/info');
  for (const route of ibrPage.routes) assert.ok(info.body.allowed.includes(route), route);

  const programme = new DciSender('console-sp');
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, officer);
    await page.getByRole('link', { name: 'IBR' }).click();
    await page.getByRole('heading', { level: 1, name: 'IBR' }).waitFor();
    const senders = page.locator('section', { has: page.getByRole('heading', { name: 'Trusted senders' }) });

    // The programme becomes a trusted sender through the page, with its pinned key.
    await senders.getByLabel('Sender ID').fill('console-sp');
    await senders.getByLabel('Name', { exact: true }).fill('Console SP-MIS');
    await senders.getByLabel('Public key (pinned)').fill(programme.publicKeyB64);
    await senders.getByLabel('Callback URL').fill('http://127.0.0.1:9/cb');
    await senders.getByRole('button', { name: 'Save sender' }).click();
    await senders.getByText('Sender console-sp saved.').waitFor();
    await senders.locator('tbody tr', { hasText: 'console-sp' }).getByText('pinned public key').waitFor();

    // It reports four people (A and B share a national ID; C is A spelt otherwise) and 25 more.
    const people = [
      beneficiary('a1', { nid: 'C-111', given: 'Amina', surname: 'Otieno', birth: '1990-04-12' }),
      beneficiary('b1', { nid: 'C-111', given: 'Grace', surname: 'Mutua', birth: '1985-01-01',
        programme: 'FOOD', programmeName: 'Food Aid' }),
      beneficiary('c1', { nid: 'C-555', given: 'Aminah', surname: 'Otieno', birth: '1990-04-12',
        programme: 'FOOD', programmeName: 'Food Aid' }),
      beneficiary('d1', { nid: 'C-777', given: 'Joseph', surname: 'Kamau', birth: '1961-07-30', sex: 'M' }),
    ];
    for (let i = 0; i < 25; ++i)
      people.push(beneficiary(`z${String(i).padStart(2, '0')}`, { nid: `C-9${i}`, given: `Person${i}`,
        surname: 'Filler', birth: '2000-01-01' }));
    const reported = await reportEnrollments(base, programme, people);
    assert.equal(reported.status, 200, reported.body);

    // Search: this sender's enrollments, 20 a page, paged on the server.
    const search = page.locator('section', { has: page.getByRole('heading', { name: 'Enrollments' }) });
    await search.getByLabel('Sender').fill('console-sp');
    await search.getByRole('button', { name: 'Search' }).click();
    await search.locator('tbody tr', { hasText: 'Amina Otieno' }).waitFor();
    assert.equal(await search.locator('tbody tr').count(), 20);
    await accessible(page, 'ibr');
    await search.getByRole('button', { name: 'Next' }).click();
    await search.locator('tbody tr', { hasText: 'Person24 Filler' }).waitFor();
    assert.equal(await search.locator('tbody tr').count(), 9);
    assert.ok(await search.getByRole('button', { name: 'Next' }).isDisabled());
    await search.getByRole('button', { name: 'Previous' }).click();
    await search.locator('tbody tr', { hasText: 'Amina Otieno' }).waitFor();

    // By identifier value: the two holders of C-111.
    await search.getByLabel('Identifier value').fill('C-111');
    await search.getByRole('button', { name: 'Search' }).click();
    // Grace may be on the unfiltered page too: wait for the filtered one (no third row).
    await search.locator('tbody tr').nth(2).waitFor({ state: 'detached' });
    await search.locator('tbody tr', { hasText: 'Grace Mutua' }).waitFor();
    assert.equal(await search.locator('tbody tr').count(), 2);
    const amina = search.locator('tbody tr', { hasText: 'Amina Otieno' });
    assert.match(await amina.innerText(), /NID: C-111/);
    assert.match(await amina.innerText(), /Cash Transfer \(Active\)/);

    // A's duplicate candidates: B by the shared ID (score 1), C by name and birth date.
    await page.getByRole('button', { name: 'Duplicates of a1' }).click();
    const dups = page.locator('section', { has: page.getByRole('heading', { name: 'Duplicate candidates' }) });
    await dups.getByText('Possible duplicates of Amina Otieno (console-sp / a1):').waitFor();
    const rows = dups.locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const first = await rows.nth(0).locator('td').allInnerTexts();
    assert.equal(first[1], 'b1');
    assert.equal(first[5], '1.000');
    assert.equal(first[6], 'confirmed');
    assert.match(first[7], /identifier/);
    const second = await rows.nth(1).locator('td').allInnerTexts();
    assert.equal(second[1], 'c1');
    assert.ok(Number(second[5]) < 1 && Number(second[5]) > 0.5, second[5]);
    assert.match(second[7], /birth date/);
    assert.match(second[8], /Food Aid/);
    await accessible(page, 'ibr-duplicates');

    // A sender whose JWKS cannot be fetched: "fetch public key" says why in words.
    await senders.getByLabel('Sender ID').fill('console-jwks');
    await senders.getByLabel('JWKS URL').fill('http://127.0.0.1:9/.well-known/jwks.json');
    await senders.getByRole('button', { name: 'Save sender' }).click();
    await senders.getByText('Sender console-jwks saved.').waitFor();
    await senders.getByRole('button', { name: 'Fetch public key of console-jwks' }).click();
    await senders.getByRole('alert').filter({ hasText: 'The keys of console-jwks could not be fetched:' }).waitFor();
    await senders.locator('tbody tr', { hasText: 'console-jwks' }).getByText(/failed/).waitFor();
    await accessible(page, 'ibr-senders');

    // Disable it: the API says so.
    await senders.getByRole('button', { name: 'Disable console-jwks' }).click();
    await page.getByText('console-jwks is disabled.').waitFor();
    const after = await api(token, '/v1/ibr/senders/console-jwks');
    assert.equal(after.body.active, false);
  });
});

test('a person without ibr:admin sees no IBR page and the API refuses the list', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, clerk);
    assert.equal(await page.getByRole('link', { name: 'IBR' }).count(), 0);
    const r = await api(await tokenFor(clerk), '/v1/ibr/enrollments');
    assert.equal(r.status, 403);
  });
});
