// Sync: the registration centres, the machines (paged on the server) with each one's last sync,
// onboarding a machine with its encryption public key (pasted or from a PEM file), and the
// number of rows of each master-data entity.
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export const routes = [
  'GET /v1/masterdata',
  'GET /v1/masterdata/{entity}',
  'POST /v1/masterdata/{entity}',
  'GET /v1/sync/machines/last-sync',
];

const pageSize = 20;

// A list of one entity's rows, paged on the server with its `after` token.
function rowsCard(api, title, entity, columns, extra = () => ({})) {
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, title), out);
  const pages = [];

  async function load(after = '') {
    const q = new URLSearchParams({ limit: pageSize });
    if (after) q.set('after', after);
    try {
      const [r, more] = await Promise.all([api.get(`/v1/masterdata/${entity}?${q}`), extra()]);
      const previous = h('button', { type: 'button', class: 'secondary',
        disabled: pages.length === 0, onclick: () => load(pages.pop()) }, t('sync_previous'));
      const next = h('button', { type: 'button', class: 'secondary',
        disabled: !r.next, onclick: () => { pages.push(after); load(r.next); } }, t('sync_next'));
      out.replaceChildren(
        r.rows.length === 0 ? h('p', { class: 'muted' }, t('sync_none')) :
          table(columns.map((c) => c.label),
            r.rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.value(row, more)))))),
        h('div', { class: 'pager' }, previous, next));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }
  return { card, load };
}

function countsCard(api) {
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, t('sync_counts')), out);
  async function load() {
    try {
      const r = await api.get('/v1/masterdata');
      // Entities with rows first (most first), then the empty ones by name.
      const list = [...r.entities].sort((a, b) => (b.count - a.count) || a.name.localeCompare(b.name));
      out.replaceChildren(table([t('sync_entity'), t('sync_rows'), t('sync_description')],
        list.map((e) => h('tr', {}, h('td', { class: 'mono' }, e.name), h('td', {}, String(e.count)),
          h('td', {}, e.description)))));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }
  return { card, load };
}

function onboardForm(api, notify, reload) {
  const input = (name) => h('input', { name, required: true, autocomplete: 'off', spellcheck: 'false' });
  const id = input('machine-id');
  const name = input('machine-name');
  const centre = input('machine-centre');
  const key = h('textarea', { name: 'public-key', rows: 6, required: true, spellcheck: 'false' });
  const file = h('input', { type: 'file', name: 'public-key-file', accept: '.pem,.pub,text/plain' });
  file.addEventListener('change', async () => {
    if (file.files[0]) key.value = await file.files[0].text();
  });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('sync_onboard'));
  return h('section', { class: 'card' }, h('h2', {}, t('sync_onboard_title')),
    h('p', { class: 'muted' }, t('sync_onboard_help')),
    h('form', {
      class: 'stack wide',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        status.replaceChildren();
        try {
          const row = await api.post('/v1/masterdata/machines', {
            id: id.value.trim(), name: name.value.trim(), regCenterId: centre.value.trim(),
            publicKey: key.value.trim(),
          });
          notify(t('sync_onboarded', { name: row.name, keyIndex: row.keyIndex }));
          status.replaceChildren(h('p', {}, t('sync_onboarded', { name: row.name, keyIndex: row.keyIndex })));
          await reload();
        } catch (e) {
          status.replaceChildren(errorBox(e.message));
        } finally {
          submit.disabled = false;
        }
      },
    }, field(t('sync_machine_id'), id), field(t('sync_machine_name'), name),
    field(t('sync_centre_id'), centre), field(t('sync_public_key'), key),
    field(t('sync_public_key_file'), file), submit, status));
}

export async function render(view, { api, may, notify }) {
  const lastSync = async () =>
    (may(routes[3]) ? (await api.get('/v1/sync/machines/last-sync')).machines : {});
  const machines = rowsCard(api, t('sync_machines'), 'machines', [
    { label: t('sync_machine_id'), class: 'mono', value: (m) => m.id },
    { label: t('sync_machine_name'), value: (m) => m.name },
    { label: t('sync_centre_id'), class: 'mono', value: (m) => m.regCenterId ?? '—' },
    { label: t('sync_key_index'), class: 'mono break', value: (m) => m.keyIndex ?? '—' },
    { label: t('sync_status'), value: (m) => (m.isActive ? t('sync_active') : t('sync_inactive')) },
    { label: t('sync_last_sync'), value: (m, last) => (last[m.id] ? formatTime(last[m.id]) : t('sync_never')) },
  ], lastSync);
  const centres = rowsCard(api, t('sync_centres'), 'registration_centers', [
    { label: t('sync_centre_id'), class: 'mono', value: (c) => c.id },
    { label: t('sync_centre_name'), value: (c) => c.name },
    { label: t('sync_language'), value: (c) => c.langCode },
    { label: t('sync_status'), value: (c) => (c.isActive ? t('sync_active') : t('sync_inactive')) },
  ]);
  const counts = countsCard(api);
  const reload = () => Promise.all([machines.load(), counts.load()]);
  view.append(machines.card);
  if (may(routes[2])) view.append(onboardForm(api, notify, reload));
  view.append(centres.card, counts.card);
  await Promise.all([machines.load(), centres.load(), counts.load()]);
}
