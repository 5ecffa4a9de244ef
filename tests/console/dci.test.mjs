// The duplication checks page in a real browser, against a second registrar acting as the IBR
// (started here, as run.sh starts the first): the IBR holds what a programme reported; through
// the page the officer adds the IBR as a data source and a trusted sender (fetching its public
// key), runs checks sync and async, retries one, and runs a CSV batch to 100%.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { accessible, base, check, clerk, newPage, officer, signIn, tokenFor } from './harness.mjs';
import { DciSender, beneficiary, reportEnrollments } from './dci_signer.mjs';
import * as dciPage from '../../web/console/pages/dci.js';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
let ibr;  // {url, process, dir}

// A registrar on SQLite on a free loopback port: `registrar db migrate`, the senders it trusts
// (the programme's pinned key, the console's server by its JWKS), then `serve`.
async function startIbr(programme) {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-ibr-'));
  const config = path.join(dir, 'registrar.toml');
  writeFileSync(config, `[server]
listen = "127.0.0.1:0"
port_file = "${dir}/port"
[database]
url = "sqlite:${dir}/registrar.db"
[identity]
master_key_file = "${dir}/master.key"
password_hash_cost = "minimal"
`);
  // registrar reads REGISTRAR_* variables as configuration and refuses unknown ones: the test
  // runner's (REGISTRAR_URL...) are left out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRAR_')));
  const r = (...args) => execFileSync(process.env.REGISTRAR_BINARY, ['--config', config, ...args],
    { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env });
  r('db', 'migrate');
  r('ibr', 'senders', 'add', 'console-programme', '--public-key', programme.publicKeyB64);
  r('ibr', 'senders', 'add', 'console-client', '--jwks-url', `${base}/.well-known/jwks.json`);
  const child = spawn(process.env.REGISTRAR_BINARY, ['--config', config, 'serve'],
    { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-20000); });
  for (let i = 0; i < 400 && !existsSync(`${dir}/port`); ++i) await sleep(50);
  for (let i = 0; i < 100 && existsSync(`${dir}/port`) && !readFileSync(`${dir}/port`, 'utf8').trim(); ++i)
    await sleep(50);
  assert.ok(existsSync(`${dir}/port`), `the IBR did not start:\n${log}`);
  const url = `http://127.0.0.1:${readFileSync(`${dir}/port`, 'utf8').trim()}`;
  return { url, child, dir, log: () => log };
}

before(async () => {
  const programme = new DciSender('console-programme');
  ibr = await startIbr(programme);
  const reported = await reportEnrollments(ibr.url, programme, [
    beneficiary('p-111', { nid: 'D-111', given: 'Amina', surname: 'Otieno', birth: '1990-04-12' }),
    beneficiary('p-222', { nid: 'D-222', given: 'Grace', surname: 'Mutua', birth: '1985-01-01',
      programme: 'FOOD', programmeName: 'Food Aid' }),
  ]);
  assert.equal(reported.status, 200, reported.body);
});

after(async () => {
  if (!ibr) return;
  ibr.child.kill('SIGTERM');
  await new Promise((done) => ibr.child.once('exit', done));
  rmSync(ibr.dir, { recursive: true, force: true });
});

async function api(token, p) {
  const r = await fetch(`${base}${p}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json().catch(() => null) };
}

test('duplication checks against a second registrar acting as IBR', async (t) => {
  const token = await tokenFor(officer);
  const info = await api(token, '/v1/platform/info');
  for (const route of dciPage.routes) assert.ok(info.body.allowed.includes(route), route);

  const page = await newPage(t);
  t.after(() => { if (t.passed === false) console.log(`--- IBR log\n${ibr.log()}`); });
  await check(page, t, async () => {
    await signIn(page, officer);
    await page.getByRole('link', { name: 'Duplication checks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Duplication checks' }).waitFor();

    // The IBR as a data source: its address, our sender id and callback, its sender id.
    const sources = page.locator('section', { has: page.getByRole('heading', { name: 'Data sources' }) });
    await sources.getByText('No data sources.').waitFor();
    await sources.getByLabel('Code').fill('national');
    await sources.getByLabel('Name').fill('National IBR');
    await sources.getByLabel('Base URL').fill(ibr.url);
    await sources.getByLabel('Authentication').selectOption('none');
    await sources.getByLabel('Our sender ID').fill('console-client');
    await sources.getByLabel('Our callback URL').fill(`${base}/dci_api/v1/ibr/on-search`);
    await sources.getByLabel("Registry's sender ID").fill('registrar-ibr');
    await sources.getByRole('button', { name: 'Add source' }).click();
    const row = () => page.locator('section', { has: page.getByRole('heading', { name: 'Data sources' }) })
      .locator('tbody tr', { hasText: 'national' });
    await row().waitFor();
    // Deactivate, then activate again: the API follows.
    await row().getByRole('button', { name: 'Deactivate national' }).click();
    await row().getByRole('button', { name: 'Activate national' }).waitFor();
    assert.equal((await api(token, '/v1/dci/sources/national')).body.active, false);
    await row().getByRole('button', { name: 'Activate national' }).click();
    await row().getByRole('button', { name: 'Deactivate national' }).waitFor();
    assert.equal((await api(token, '/v1/dci/sources/national')).body.active, true);

    // The IBR as a trusted sender (its answers and callbacks are signed), by its JWKS; "fetch
    // public key" shows the key it publishes.
    const senders = page.locator('section', { has: page.getByRole('heading', { name: 'Trusted senders' }) });
    await senders.getByLabel('Sender ID').fill('registrar-ibr');
    await senders.getByLabel('Name', { exact: true }).fill('National IBR');
    await senders.getByLabel('JWKS URL').fill(`${ibr.url}/.well-known/jwks.json`);
    await senders.getByRole('button', { name: 'Save sender' }).click();
    await senders.getByText('Sender registrar-ibr saved.').waitFor();
    await senders.getByRole('button', { name: 'Fetch public key of registrar-ibr' }).click();
    await senders.getByText(/registrar-ibr: \d+ key\(s\) found:/).waitFor();
    await senders.getByText('registrar-ibr|ibr-1|ed25519 (Ed25519)').waitFor();
    await senders.locator('tbody tr', { hasText: 'registrar-ibr' }).getByText(/ok: /).waitFor();
    await accessible(page, 'dci-sources-senders');

    // A sync check of someone the IBR knows: completed, confirmed, with the programme.
    const create = page.locator('section', { has: page.getByRole('heading', { name: 'New duplication check' }) });
    await create.getByLabel('Data source').selectOption('national');
    await create.getByLabel('Reference').fill('R-sync');
    await create.getByLabel('Identifier value').fill('D-111');
    await create.getByLabel('Mode').selectOption('sync');
    await create.getByRole('button', { name: 'Create check' }).click();
    await create.getByText(/^Check .* created\.$/).waitFor();
    const checks = page.locator('section', { has: page.getByRole('heading', { name: 'Checks', exact: true }) });
    const syncRow = checks.locator('tbody tr', { hasText: 'R-sync' });
    await syncRow.getByText('confirmed match').waitFor();
    assert.match(await syncRow.innerText(), /completed/);
    assert.match(await syncRow.innerText(), /Cash Transfer/);

    // Its details: the registrant as sent and the registry's answer as received.
    await syncRow.getByRole('button', { name: 'Details of R-sync' }).click();
    await checks.getByRole('heading', { name: 'Check of R-sync' }).waitFor();
    await checks.locator('dl.details').getByText('NID: D-111').waitFor();
    await checks.getByText("The registry's answer as received").click();
    assert.match(await checks.locator('details pre').innerText(), /"reference_id"/);

    // A registrant with nothing to look for: the API's words.
    await create.getByLabel('Reference').fill('R-empty');
    await create.getByLabel('Identifier value').fill('');
    await create.getByRole('button', { name: 'Create check' }).click();
    await create.getByRole('alert').filter({ hasText: 'a registrant needs an identifier or a name' }).waitFor();

    // An async one of someone it does not know: completed by the IBR's signed callback.
    await create.getByLabel('Reference').fill('R-async');
    await create.getByLabel('Identifier value').fill('D-999');
    await create.getByLabel('Mode').selectOption('async');
    await create.getByRole('button', { name: 'Create check' }).click();
    const asyncRow = checks.locator('tbody tr', { hasText: 'R-async' });
    await asyncRow.getByText('no match').waitFor({ timeout: 20000 });
    await accessible(page, 'dci-checks');

    const listed = (await api(token, '/v1/dci/checks?source=national')).body.items;
    const byRef = Object.fromEntries(listed.map((c) => [c.registrant.reference, c]));
    assert.equal(byRef['R-sync'].result, 'confirmed_match');
    assert.deepEqual(byRef['R-sync'].matched_programmes, ['Cash Transfer']);
    assert.equal(byRef['R-async'].state, 'completed');
    assert.equal(byRef['R-async'].result, 'no_match');
    assert.ok(byRef['R-async'].correlation_id, 'the async check waited for its callback');

    // Retry puts it back to ready; Run asks again.
    await syncRow.getByRole('button', { name: 'Retry the check of R-sync' }).click();
    await syncRow.getByRole('button', { name: 'Run the check of R-sync' }).click();
    await syncRow.getByText('confirmed match').waitFor();
    const audit = await api(token, `/v1/audit/events?subject=${byRef['R-sync'].id}&limit=50`);
    assert.ok(audit.body.events.some((e) => e.action === 'dci_client.check.retry'), 'retry audited');

    // A CSV batch: three registrants and a line that is none; the bar reaches 100%.
    const csv = 'reference,identifier_type,identifier_value,given_name\n' +
      'B-1,NID,D-111,Amina\nB-2,NID,D-222,Grace\nB-3,NID,D-404,Nobody\nB-4,,,\n';
    const batch = page.locator('section', { has: page.getByRole('heading', { name: 'Batch run from a file' }) });
    await batch.getByLabel('File (CSV or JSONL)').setInputFiles(
      { name: 'registrants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await batch.getByLabel('Data source').selectOption('national');
    await batch.getByRole('button', { name: 'Start batch' }).click();
    await batch.getByText('4 lines read: 3 checks, 1 invalid lines.').waitFor();
    await batch.getByText('Line 5:').waitFor();
    await batch.getByText('3 of 3 done (100%)').waitFor();
    assert.equal(await batch.getByLabel('Progress').getAttribute('value'), '3');
    await batch.getByText('Confirmed matches: 2; possible: 0; no match: 1; failed: 0.').waitFor();
    const results = await batch.locator('tbody tr').allInnerTexts();
    assert.equal(results.length, 3);
    assert.match(results[0], /B-1.*confirmed match.*Cash Transfer/s);
    assert.match(results[1], /B-2.*confirmed match.*Food Aid/s);
    assert.match(results[2], /B-3.*no match/s);
    await accessible(page, 'dci-batch');

    // The API agrees: the batch's id is the source and the file's digest.
    const digest = createHash('sha256').update(csv).digest('hex').slice(0, 32);
    const status = await api(token, `/v1/dci/batches/national:${digest}`);
    assert.equal(status.status, 200);
    assert.equal(status.body.finished, true);
    assert.equal(status.body.counts.confirmed_match, 2);
  });
});

test('a viewer without dci scopes sees no duplication checks page', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signIn(page, clerk);
    assert.equal(await page.getByRole('link', { name: 'Duplication checks' }).count(), 0);
    const r = await api(await tokenFor(clerk), '/v1/dci/checks');
    assert.equal(r.status, 403);
  });
});
