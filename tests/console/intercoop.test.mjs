// Intercoop in the browser: the members' portal of a source registrar (catalogue, consent page
// with exactly the fields and values, acceptance landing on the target's continuation page, a
// target's refusal in words, the consent log, Spanish and Catalan labels) and the operators'
// intercoop page on both sides. The test starts its own two registrars (source and target: each
// needs its own intercoop configuration), as run.sh starts one, and each imports the other's
// `registrar intercoop descriptor` as printed (the target's with its privacy policy).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { accessible, check, newPage } from './harness.mjs';

const binary = process.env.REGISTRAR_BINARY;
const member = ['m1', 'member-pass-1'];
const ops = ['ops', 'ops-pass-1'];
let source;
let target;

// The environment without the test's own REGISTRAR_* variables: registrar reads that prefix as
// configuration and refuses unknown keys.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRAR_')));

// A registrar on SQLite on a free loopback port with the console's public client, as run.sh
// starts one, plus `extra` configuration.
async function startRegistrar(name, extra) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `console-intercoop-${name}-`));
  const config = path.join(dir, 'registrar.toml');
  writeFileSync(config, `[server]
listen = "127.0.0.1:0"
port_file = "${dir}/port"
[database]
url = "sqlite:${dir}/registrar.db"
[identity]
master_key_file = "${dir}/master.key"
password_hash_cost = "minimal"
public_clients = ["console"]
${extra}`);
  const cli = (args, { input, env } = {}) => execFileSync(binary, ['--config', config, ...args], {
    encoding: 'utf8', input, env: { ...cleanEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  cli(['db', 'migrate']);
  const logFile = path.join(dir, 'server.log');
  const out = openSync(logFile, 'w');
  const child = spawn(binary, ['--config', config, 'serve'], { stdio: ['ignore', out, out], env: cleanEnv });
  closeSync(out);
  const portFile = path.join(dir, 'port');
  for (let i = 0; i < 400 && !(existsSync(portFile) && readFileSync(portFile, 'utf8').trim()); i++)
    await new Promise((r) => setTimeout(r, 50));
  const port = readFileSync(portFile, 'utf8').trim();
  assert.ok(port, `${name} started`);
  return {
    url: `http://127.0.0.1:${port}`, dir, cli,
    addUser: ([user, password], scopes) =>
      cli(['users', 'add', user, ...scopes.flatMap((s) => ['--scope', s])], { input: `${password}\n` }),
    log: () => readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The descriptor a CLI printed (log lines, if any, come first).
const yamlOf = (text) => text.slice(text.indexOf('intercoopVersion:'));

before(async () => {
  target = await startRegistrar('target',
    '[intercoop]\npeer_id = "targetcoop"\nname = "Target Coop"\ndefault_service = "contract"\n' +
    'privacy_policy_url = "https://target.example/privacy"\n');
  source = await startRegistrar('source', '[intercoop]\npeer_id = "sourcecoop"\nname = "Source Coop"\n');
  target.cli(['intercoop', 'services', 'add', 'contract', '--field', 'nif', '--field', 'name',
    '--description', 'Contrato de luz', '--description', 'ca=Contracte de llum',
    '--description', 'en=Electricity contract']);
  target.cli(['intercoop', 'services', 'add', 'bonus', '--field', 'nif', '--field', 'email',
    '--description', 'Bono social']);
  // The descriptors as printed (the target's with its public URL, known once it listens).
  const targetDescriptor = yamlOf(target.cli(['intercoop', 'descriptor'],
    { env: { REGISTRAR_INTERCOOP_PUBLIC_URL: target.url } }));
  assert.match(targetDescriptor, /^privacyPolicyUrl: https:\/\/target\.example\/privacy$/m);
  const sourceDescriptor = yamlOf(source.cli(['intercoop', 'descriptor']));
  writeFileSync(path.join(source.dir, 'targetcoop.yaml'), targetDescriptor);
  writeFileSync(path.join(target.dir, 'sourcecoop.yaml'), sourceDescriptor);
  source.cli(['intercoop', 'peers', 'import', path.join(source.dir, 'targetcoop.yaml')]);
  target.cli(['intercoop', 'peers', 'import', path.join(target.dir, 'sourcecoop.yaml')]);
  // `bonus` as our catalogue wrongly knows it: without the e-mail the target requires, so the
  // target refuses it.
  source.cli(['intercoop', 'peers', 'services', 'add', 'targetcoop', 'bonus', '--field', 'nif']);
  writeFileSync(path.join(source.dir, 'members.csv'),
    'member,lang,nif,name,email\nm1,ca,12345678Z,"Bunny, Bugs",bugs@example.org\n');
  source.cli(['intercoop', 'members', 'import', path.join(source.dir, 'members.csv')]);
  source.addUser(member, ['intercoop:member']);
  source.addUser(ops, ['intercoop:admin']);
  target.addUser(ops, ['intercoop:admin']);
});

after(async () => {
  await source?.stop();
  await target?.stop();
});

async function signInAt(page, server, [user, password], landing) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

async function apiAs(server, [user, password], route) {
  const tok = await fetch(`${server.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'console', username: user, password }),
  });
  assert.equal(tok.status, 200);
  const { access_token: token } = await tok.json();
  const r = await fetch(`${server.url}${route}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json() };
}

// The consent table's rows as "label: value".
async function consentRows(page) {
  return page.locator('section.consent tbody tr').evaluateAll((rows) =>
    rows.map((r) => `${r.querySelector('th').innerText}: ${r.querySelector('td').innerText}`));
}

test('a member sees only the member pages, consents to exactly what is sent and lands on the target', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    // m1's record says Catalan: their pages start in it, whatever the browser's language.
    await signInAt(page, source, member, 'Serveis d’altres entitats');
    const nav = page.getByRole('navigation');
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(),
      ['Serveis d’altres entitats', 'Els meus consentiments']);
    assert.equal(await page.getByLabel('Idioma').inputValue(), 'ca');
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Services of other organisations' }).waitFor();
    // An operator's page by its address shows the member's landing page instead.
    for (const other of ['overview', 'audit', 'intercoop']) {
      await page.evaluate((h) => { location.hash = h; }, `#/${other}`);
      await page.getByRole('heading', { level: 1, name: 'Services of other organisations' }).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Server' }).count(), 0);
    }
    const peer = page.locator('section.peer', { has: page.getByRole('heading', { name: 'Target Coop' }) });
    // The service's title in the member's language: our descriptor has every language of it.
    await peer.getByRole('heading', { level: 3, name: 'Electricity contract' }).waitFor();
    await peer.getByText('Needs: NIF, Name').waitFor();
    await accessible(page, 'intercoop-portal');

    await peer.getByRole('button', { name: /Use this service: Electricity contract/ }).click();
    await page.getByRole('heading', { name: 'Authorisation to transfer personal data to Target Coop' }).waitFor();
    assert.deepEqual(await consentRows(page),
      ['Source entity: sourcecoop', 'NIF: 12345678Z', 'Name: Bunny, Bugs']);
    assert.equal(await page.getByRole('link', { name: 'Privacy policy of Target Coop' }).getAttribute('href'),
      'https://target.example/privacy');
    // Exactly what the API would send (and nothing was sent by looking).
    const preview = await apiAs(source, member,
      '/v1/intercoop/transfers/preview?member=m1&peer=targetcoop&service=contract');
    assert.deepEqual(preview.body.fields, { originpeer: 'sourcecoop', nif: '12345678Z', name: 'Bunny, Bugs' });
    assert.equal((await apiAs(source, member, '/v1/intercoop/transfers?member=m1')).body.transfers.length, 0);
    await accessible(page, 'intercoop-consent');

    // Spanish, then Catalan: the labels of the original's table.
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Servicios de otras entidades' }).waitFor();
    await page.getByRole('button', { name: /Usar este servicio: Contrato de luz/ }).click();
    await page.getByRole('heading', { name: 'Autorización de transferencia de datos personales a Target Coop' }).waitFor();
    assert.deepEqual(await consentRows(page),
      ['Entidad de procedencia: sourcecoop', 'NIF: 12345678Z', 'Nombre: Bunny, Bugs']);
    await page.getByRole('link', { name: 'Política de privacidad de Target Coop' }).waitFor();
    await accessible(page, 'intercoop-consent-es');
    await page.getByLabel('Idioma').selectOption('ca');
    await page.getByRole('heading', { level: 1, name: 'Serveis d’altres entitats' }).waitFor();
    await page.getByRole('heading', { level: 3, name: 'Contracte de llum' }).waitFor();
    await page.getByRole('button', { name: /Fer servir aquest servei: Contracte de llum/ }).click();
    await page.getByRole('heading', { name: 'Autorització de transferència de dades personals a Target Coop' }).waitFor();
    assert.deepEqual(await consentRows(page),
      ['Entitat de provinença: sourcecoop', 'NIF: 12345678Z', 'Nom: Bunny, Bugs']);
    assert.equal(await page.getByRole('link', { name: 'Política de privacitat de Target Coop' }).getAttribute('href'),
      'https://target.example/privacy');
    await accessible(page, 'intercoop-consent-ca');

    await page.getByRole('button', { name: 'Accepto' }).click();
    await page.waitForURL(`${target.url}/intercoop/continuation/*`);
    await page.getByRole('heading', { level: 1, name: 'Data received' }).waitFor();
    const shown = await page.locator('body').innerText();
    for (const v of ['sourcecoop', '12345678Z', 'Bunny, Bugs']) assert.ok(shown.includes(v), v);
    assert.ok(!shown.includes('bugs@example.org'), 'not a field of the service');
    await accessible(page, 'intercoop-continuation');
  });
});

test('a refusal by the target is told in words, and the consent log lists both transfers', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    // In the member's Catalan: the refusal's words too.
    await signInAt(page, source, member, 'Serveis d’altres entitats');
    await page.getByRole('button', { name: /Fer servir aquest servei: bonus/ }).click();
    await page.getByRole('heading', { name: 'Autorització de transferència de dades personals a Target Coop' }).waitFor();
    assert.deepEqual(await consentRows(page), ['Entitat de provinença: sourcecoop', 'NIF: 12345678Z']);
    await page.getByRole('button', { name: 'Accepto' }).click();
    const words = 'Target Coop necessita la dada \'email\', que aquest servei no ha enviat. ' +
      'No s’ha activat res; aviseu-nos, si us plau.';
    await page.getByRole('alert').filter({ hasText: words }).waitFor();
    await accessible(page, 'intercoop-refused');
    await page.getByLabel('Idioma').selectOption('en');

    await page.getByRole('link', { name: 'My consent log' }).click();
    await page.getByRole('heading', { level: 1, name: 'My consent log' }).waitFor();
    const rows = page.locator('main tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    // Newest first: the refusal, then the accepted contract, each with what was sent.
    const refused = await rows.nth(0).locator('td').allInnerTexts();
    assert.deepEqual(refused.slice(1, 3), ['Target Coop', 'bonus']);
    assert.match(refused[3], /Source entity\s+sourcecoop\s+NIF\s+12345678Z/);
    assert.equal(refused[4], '2.0');
    assert.match(refused[5], /^Refused by Target Coop: Required field 'email' missing on the payload/);
    const accepted = await rows.nth(1).locator('td').allInnerTexts();
    assert.deepEqual(accepted.slice(1, 3), ['Target Coop', 'Electricity contract']);
    assert.match(accepted[3], /Source entity\s+sourcecoop\s+NIF\s+12345678Z\s+Name\s+Bunny, Bugs/);
    assert.equal(accepted[5], 'Accepted');
    await accessible(page, 'intercoop-consent-log');
    await page.getByLabel('Language').selectOption('ca');
    await page.getByRole('heading', { level: 1, name: 'Els meus consentiments' }).waitFor();
    await page.locator('main tbody tr', { hasText: 'Acceptat' }).getByText('Nom').waitFor();
  });
});

test('operators: peers enabled, disabled and imported, services, transfers received and the consent log', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signInAt(page, source, ops, 'Overview');
    await page.getByRole('link', { name: 'Intercoop' }).click();
    await page.getByRole('heading', { level: 1, name: 'Intercoop' }).waitFor();
    const peerRow = page.locator('tr[data-peer="targetcoop"]');
    await peerRow.getByText('Target Coop').waitFor();
    await peerRow.getByRole('button', { name: 'Disable targetcoop' }).click();
    await page.locator('tr[data-peer="targetcoop"] td', { hasText: /^no$/ }).waitFor();
    assert.equal((await apiAs(source, ops, '/v1/intercoop/peers/targetcoop')).body.active, false);
    // A disabled peer leaves the member's catalogue.
    assert.equal((await apiAs(source, member, '/v1/intercoop/catalogue?member=m1')).body.peers.length, 0);
    await page.locator('tr[data-peer="targetcoop"]').getByRole('button', { name: 'Enable targetcoop' }).click();
    await page.locator('tr[data-peer="targetcoop"] td', { hasText: /^yes$/ }).waitFor();
    assert.equal((await apiAs(source, ops, '/v1/intercoop/peers/targetcoop')).body.active, true);

    // A new peer's descriptor, pasted.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).trim().split('\n').map((l) => `  ${l}`).join('\n');
    await page.getByLabel('Descriptor (YAML)').fill(
      `intercoopVersion: '1.0'\npeerVersion: 1\npeerid: thirdcoop\nname: Third Coop\npublickey: |\n${pem}\n`);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('thirdcoop (Third Coop) imported.').waitFor();
    await page.locator('tr[data-peer="thirdcoop"]').getByText('Third Coop').waitFor();
    assert.equal((await apiAs(source, ops, '/v1/intercoop/peers/thirdcoop')).status, 200);
    // A broken one is refused in the API's words.
    await page.getByLabel('Descriptor (YAML)').fill('intercoopVersion: \'1.0\'\npeerid: fourth\nname: Four\n');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('alert').filter({ hasText: /publickey/ }).waitFor();

    // The members' consent log: names, not values.
    const consents = page.locator('section', { has: page.getByRole('heading', { name: 'Members’ consent log' }) });
    await consents.locator('tbody tr').nth(1).waitFor();
    assert.equal(await consents.locator('tbody tr').count(), 2);
    const text = await consents.locator('tbody').innerText();
    assert.match(text, /m1\s+targetcoop\s+bonus\s+Source entity, NIF\s+2\.0\s+refused \(MissingField\)/);
    assert.match(text, /m1\s+targetcoop\s+contract\s+Source entity, NIF, Name\s+2\.0\s+accepted/);
    assert.ok(!text.includes('12345678Z'));
    await consents.getByLabel('Member').fill('nobody');
    await consents.getByRole('button', { name: 'Filter' }).click();
    await consents.getByText('No consents.').waitFor();
    assert.ok(await consents.getByRole('button', { name: 'Older' }).isDisabled());
    await accessible(page, 'intercoop-operators-source');
  });
});

test('operators of the target see the transfers received and the services', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await signInAt(page, target, ops, 'Overview');
    await page.getByRole('link', { name: 'Intercoop' }).click();
    const received = page.locator('section', { has: page.getByRole('heading', { name: 'Transfers received' }) });
    const row = received.locator('tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    const cells = await row.first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1, 4), ['sourcecoop', 'contract', 'Source entity, NIF, Name']);
    assert.notEqual(cells[5], 'no', 'the member used the continuation page');
    const services = page.locator('section', { has: page.getByRole('heading', { name: 'Services' }) });
    await services.locator('tr[data-service="contract"]').getByText('NIF, Name').waitFor();
    await services.locator('tr[data-service="bonus"]').getByRole('button', { name: 'Disable bonus' }).click();
    await services.locator('tr[data-service="bonus"]').getByRole('button', { name: 'Enable bonus' }).waitFor();
    assert.equal((await apiAs(target, ops, '/v1/intercoop/services/bonus')).body.active, false);
    await accessible(page, 'intercoop-operators-target');
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { name: 'Transferencias recibidas' }).waitFor();
    await accessible(page, 'intercoop-operators-target-es');
  });
});

test('operators page through the services on the server, and a change keeps the page', async (t) => {
  // 30 more services through the API: with bonus and contract, 32 by name, two pages of 25.
  const tok = await fetch(`${target.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'console', username: ops[0], password: ops[1] }),
  });
  const { access_token: token } = await tok.json();
  for (let i = 0; i < 30; i++) {
    const r = await fetch(`${target.url}/v1/intercoop/services`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `svc_${String(i).padStart(2, '0')}`, fields: ['nif'] }),
    });
    assert.equal(r.status, 201);
  }
  const page = await newPage(t);
  await check(page, t, async () => {
    await signInAt(page, target, ops, 'Overview');
    await page.getByRole('link', { name: 'Intercoop' }).click();
    const services = page.locator('section', { has: page.getByRole('heading', { name: 'Services' }) });
    const names = () => services.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.service));
    await services.locator('tr[data-service="bonus"]').waitFor();
    const first = await names();
    assert.equal(first.length, 25, 'one page of 25');
    assert.deepEqual(first.slice(0, 3), ['bonus', 'contract', 'svc_00']);
    const previous = services.getByRole('button', { name: 'Previous' });
    const next = services.getByRole('button', { name: 'Next' });
    assert.equal(await previous.isDisabled(), true);
    await next.click();
    await services.locator('tr[data-service="svc_29"]').waitFor();
    assert.deepEqual(await names(), ['svc_23', 'svc_24', 'svc_25', 'svc_26', 'svc_27', 'svc_28', 'svc_29']);
    assert.equal(await next.isDisabled(), true, 'the last page has no next');
    // A change reloads the page the person is on, not the first.
    await services.locator('tr[data-service="svc_29"]').getByRole('button', { name: 'Disable svc_29' }).click();
    await services.locator('tr[data-service="svc_29"]').getByRole('button', { name: 'Enable svc_29' }).waitFor();
    assert.equal((await names()).length, 7);
    assert.equal((await apiAs(target, ops, '/v1/intercoop/services/svc_29')).body.active, false);
    await accessible(page, 'intercoop-services-page-2');
    await previous.click();
    await services.locator('tr[data-service="bonus"]').waitFor();
    assert.deepEqual(await names(), first);
  });
});
