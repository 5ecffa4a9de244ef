// Intercoop for operators (issue 19): peers (enable, disable, import a §4.1 descriptor) and
// services, paged on the server by id / name; the transfers this target received and the
// members' consent log, paged newest first and filtered on the server. The lists show field
// names only: the values stay with the member.
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { fieldLabel, text } from './intercoop_fields.js';

export const routes = [
  'GET /v1/intercoop/peers',
  'POST /v1/intercoop/peers/{id}/enable',
  'POST /v1/intercoop/peers/{id}/disable',
  'PUT /v1/intercoop/peers/{id}/descriptor',
  'GET /v1/intercoop/services',
  'POST /v1/intercoop/services/{name}/enable',
  'POST /v1/intercoop/services/{name}/disable',
  'GET /v1/intercoop/transfers/received',
  'GET /v1/intercoop/consents',
];

const pageSize = 25;
const yesNo = (b) => (b ? t('intercoop_yes') : t('intercoop_no'));
const names = (fields) => fields.map(fieldLabel).join(', ');

// A toggle for a peer's or service's active flag, shown when the person may use it.
function toggle(api, may, kind, id, active, reload, notify) {
  const verb = active ? 'disable' : 'enable';
  const route = `POST /v1/intercoop/${kind}/{${kind === 'peers' ? 'id' : 'name'}}/${verb}`;
  if (!may(route)) return null;
  return h('button', {
    type: 'button', class: 'secondary',
    'aria-label': t(`intercoop_${verb}_named`, { id }),
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await api.post(`/v1/intercoop/${kind}/${encodeURIComponent(id)}/${verb}`);
        notify(t(`intercoop_${verb}d`, { id }));
      } catch (e) {
        notify(e.message);
      }
      await reload();
    },
  }, t(`intercoop_${verb}`));
}

// The two buttons under a paged list: `back` and `forward` are what they do, false where there
// is no page that way (the button is then disabled).
function pager(back, backLabel, forward, forwardLabel) {
  const button = (go, label) => h('button', { type: 'button', class: 'secondary', disabled: !go, onclick: go }, label);
  return h('div', { class: 'pager' }, button(back, backLabel), button(forward, forwardLabel));
}

// A list paged on the server by id or name (?after, ?limit; `next`): "next" follows `next`,
// "previous" goes back through the cursors already followed. reload() shows the current page again.
function keyedList({ api, path, key, empty, headers, row }) {
  const out = h('div', { 'aria-live': 'polite' });
  const cursors = [];
  let current = '';
  async function load(after = current) {
    current = after;
    const q = new URLSearchParams({ limit: pageSize });
    if (after) q.set('after', after);
    try {
      const r = await api.get(`${path}?${q}`);
      out.replaceChildren(
        r[key].length === 0 ? h('p', { class: 'muted' }, empty) : table(headers, r[key].map((x) => row(x, load))),
        pager(cursors.length > 0 && (() => load(cursors.pop())), t('intercoop_previous'),
          r.next !== null && (() => { cursors.push(after); load(r.next); }), t('intercoop_next')));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }
  return { out, load: () => load() };
}

function peersCard(api, may, notify) {
  const { out, load } = keyedList({
    api, path: '/v1/intercoop/peers', key: 'peers', empty: t('intercoop_no_peers'),
    headers: [t('intercoop_peer'), t('intercoop_name'), t('intercoop_versions'), t('intercoop_target_url'),
      t('intercoop_active'), ''],
    row: (p, reload) => h('tr', { 'data-peer': p.id },
      h('td', { class: 'mono' }, p.id), h('td', {}, p.name), h('td', {}, p.versions.join(', ')),
      h('td', { class: 'mono' }, p.target_url || '—'), h('td', {}, yesNo(p.active)),
      h('td', {}, toggle(api, may, 'peers', p.id, p.active, () => reload(), notify))),
  });
  const card = h('section', { class: 'card' }, h('h2', {}, t('intercoop_peers')), out);
  if (may('PUT /v1/intercoop/peers/{id}/descriptor')) {
    const descriptor = h('textarea', { name: 'descriptor', rows: 8, cols: 70, spellcheck: 'false', required: true });
    const file = h('input', { type: 'file', name: 'file', accept: '.yaml,.yml,text/yaml,application/yaml' });
    file.addEventListener('change', async () => {
      if (file.files[0]) descriptor.value = await file.files[0].text();
    });
    const status = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit' }, t('intercoop_import'));
    card.append(h('h3', {}, t('intercoop_import_title')), h('form', {
      class: 'stack wide',
      onsubmit: async (ev) => {
        ev.preventDefault();
        // The peer's id is the descriptor's own `peerid` (the API checks that they match).
        const id = /^peerid:[ \t]*['"]?(\w+)['"]?[ \t]*$/m.exec(descriptor.value)?.[1];
        if (!id) {
          status.replaceChildren(errorBox(t('intercoop_no_peerid')));
          return;
        }
        submit.disabled = true;
        try {
          const r = await api.putText(`/v1/intercoop/peers/${id}/descriptor`, descriptor.value, 'application/yaml');
          status.replaceChildren(h('p', { class: 'ok' }, t('intercoop_imported', { id: r.id, name: r.name })));
          descriptor.value = '';
          await load();
        } catch (e) {
          status.replaceChildren(errorBox(e.message));
        } finally {
          submit.disabled = false;
        }
      },
    }, field(t('intercoop_descriptor_file'), file), field(t('intercoop_descriptor'), descriptor), submit), status);
  }
  return { card, load };
}

function servicesCard(api, may, notify) {
  const { out, load } = keyedList({
    api, path: '/v1/intercoop/services', key: 'services', empty: t('intercoop_no_services'),
    headers: [t('intercoop_service'), t('intercoop_description'), t('intercoop_fields'), t('intercoop_allowed'),
      t('intercoop_active'), ''],
    row: (s, reload) => h('tr', { 'data-service': s.name },
      h('td', { class: 'mono' }, s.name), h('td', {}, text(s.description)), h('td', {}, names(s.fields)),
      h('td', {}, s.peers.length ? s.peers.join(', ') : t('intercoop_any_peer')), h('td', {}, yesNo(s.active)),
      h('td', {}, toggle(api, may, 'services', s.name, s.active, () => reload(), notify))),
  });
  return { card: h('section', { class: 'card' }, h('h2', {}, t('intercoop_services')), out), load };
}

// A list paged on the server, newest first, with filters: "older" follows next_before.
function pagedCard({ api, title, path, key, filters, headers, row, empty }) {
  const inputs = filters.map((f) => h('input', { name: f, autocomplete: 'off' }));
  const results = h('div', { 'aria-live': 'polite' });
  const stack = [];
  async function load(before) {
    const q = new URLSearchParams({ limit: pageSize });
    filters.forEach((f, i) => inputs[i].value && q.set(f, inputs[i].value));
    if (before) q.set('before', before);
    try {
      const r = await api.get(`${path}?${q}`);
      results.replaceChildren(
        r[key].length === 0 ? h('p', { class: 'muted' }, empty) : table(headers, r[key].map(row)),
        pager(stack.length > 0 && (() => load(stack.pop() || '')), t('newer'),
          r.next_before !== null && (() => { stack.push(before || ''); load(r.next_before); }), t('older')));
    } catch (e) {
      results.replaceChildren(errorBox(e.message));
    }
  }
  const form = h('form', {
    class: 'inline',
    onsubmit: (ev) => { ev.preventDefault(); stack.length = 0; load(''); },
  }, filters.map((f, i) => field(t(`intercoop_filter_${f}`), inputs[i])), h('button', { type: 'submit' }, t('filter')));
  return { card: h('section', { class: 'card' }, h('h2', {}, title), form, results), load: () => load('') };
}

export async function render(view, { api, may, notify }) {
  const loads = [];
  if (may('GET /v1/intercoop/peers')) {
    const c = peersCard(api, may, notify);
    view.append(c.card);
    loads.push(c.load);
  }
  if (may('GET /v1/intercoop/services')) {
    const c = servicesCard(api, may, notify);
    view.append(c.card);
    loads.push(c.load);
  }
  if (may('GET /v1/intercoop/transfers/received')) {
    const c = pagedCard({
      api, title: t('intercoop_received'), path: '/v1/intercoop/transfers/received', key: 'transfers',
      filters: ['peer', 'service'], empty: t('intercoop_no_received'),
      headers: [t('intercoop_received_at'), t('intercoop_peer'), t('intercoop_service'), t('intercoop_fields'),
        t('intercoop_expires'), t('intercoop_consumed')],
      row: (x) => h('tr', { class: 'received' }, h('td', {}, formatTime(x.received)), h('td', { class: 'mono' }, x.peer),
        h('td', { class: 'mono' }, x.service), h('td', {}, names(x.fields)), h('td', {}, formatTime(x.expires)),
        h('td', {}, x.consumed ? formatTime(x.consumed) : t('intercoop_no'))),
    });
    view.append(c.card);
    loads.push(c.load);
  }
  if (may('GET /v1/intercoop/consents')) {
    const c = pagedCard({
      api, title: t('intercoop_consents'), path: '/v1/intercoop/consents', key: 'consents',
      filters: ['member', 'peer'], empty: t('intercoop_no_consents'),
      headers: [t('consents_sent'), t('intercoop_member'), t('intercoop_peer'), t('intercoop_service'),
        t('intercoop_fields'), t('version'), t('consents_answer')],
      row: (x) => h('tr', { class: `consent ${x.outcome}` }, h('td', {}, formatTime(x.sent)),
        h('td', { class: 'mono' }, x.member), h('td', { class: 'mono' }, x.peer), h('td', { class: 'mono' }, x.service),
        h('td', {}, names(x.fields)), h('td', {}, x.version),
        h('td', {}, t(`intercoop_outcome_${x.outcome}`) + (x.error ? ` (${x.error})` : ''))),
    });
    view.append(c.card);
    loads.push(c.load);
  }
  await Promise.all(loads.map((l) => l()));
}
