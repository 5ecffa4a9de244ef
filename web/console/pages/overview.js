import { errorBox, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export async function render(main, { api, may, session }) {
  const health = h('p', {}, t('loading'));
  main.append(
    h('section', { class: 'card' },
      h('h2', {}, t('server')),
      table([t('field'), t('value')], [
        h('tr', {}, h('td', {}, t('version')), h('td', { class: 'mono' }, session.version)),
        h('tr', {}, h('td', {}, t('modules')), h('td', {}, session.modules.join(', '))),
        h('tr', {}, h('td', {}, t('your_scopes')),
          h('td', { class: 'mono' }, session.scopes.join(' '))),
      ]),
      health));
  try {
    const r = await api.getPublic('/healthz');
    health.replaceChildren(h('span', { class: 'ok' }, t('health_ok', { status: r.status })));
  } catch (e) {
    health.replaceChildren(errorBox(e.message));
  }
  await counts(main, api, may);
  if (!may('GET /v1/audit/events')) return;
  const recent = h('section', { class: 'card' }, h('h2', {}, t('recent_events')));
  main.append(recent);
  try {
    const r = await api.get('/v1/audit/events?limit=10');
    recent.append(r.events.length === 0 ? h('p', { class: 'muted' }, t('no_events')) :
      table([t('time'), t('actor'), t('action'), t('subject')], r.events.map((e) =>
        h('tr', {}, h('td', {}, formatTime(e.at)), h('td', {}, e.actor),
          h('td', { class: 'mono' }, e.action), h('td', { class: 'mono' }, e.subject)))));
  } catch (e) {
    recent.append(errorBox(e.message));
  }
}

// What the registry holds, from the modules' own figures the person may read: identifiers
// issued per type, master-data rows, machines and centres.
async function counts(main, api, may) {
  const rows = [];
  if (may('GET /v1/ids/{type}/capacity')) {
    for (const type of ['uin', 'vid', 'prid']) {
      try {
        const c = await api.get(`/v1/ids/${type}/capacity`);
        rows.push([t('count_issued', { type: type.toUpperCase() }), c.issued]);
      } catch {
        // Shown on the identifiers page with its reason.
      }
    }
  }
  if (may('GET /v1/masterdata')) {
    try {
      const r = await api.get('/v1/masterdata');
      const of = (name) => r.entities.find((e) => e.name === name)?.count ?? 0;
      rows.push([t('count_master_rows'), r.entities.reduce((n, e) => n + e.count, 0)]);
      rows.push([t('count_machines'), of('machines')]);
      rows.push([t('count_centres'), of('registration_centers')]);
    } catch {
      // Shown on the sync page with its reason.
    }
  }
  if (rows.length === 0) return;
  main.append(h('section', { class: 'card counts' }, h('h2', {}, t('counts')),
    table([t('field'), t('value')], rows.map(([k, v]) =>
      h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, Number(v).toLocaleString()))))));
}
