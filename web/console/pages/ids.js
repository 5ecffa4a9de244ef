// Identifiers: issue, validate (with every reason for a rejection), capacity and use per type.
import { errorBox, field, h, table } from '../dom.js';
import { t } from '../i18n.js';

export const routes = [
  'POST /v1/ids/{type}/issue',
  'GET /v1/ids/{type}/validate/{id}',
  'GET /v1/ids/{type}/capacity',
  'GET /v1/ids/tokens/{uin}/{partner}',
  'POST /v1/ids/licences',
  'GET /v1/ids/licences/{key}',
  'POST /v1/ids/licences/{key}/{action}',
];

const issuable = ['uin', 'vid', 'prid'];
const validatable = ['uin', 'vid', 'prid', 'rid', 'misp'];

function typeSelect(types) {
  return h('select', { name: 'type' }, types.map((x) => h('option', { value: x }, x.toUpperCase())));
}

function issueCard(api, onIssued) {
  const type = typeSelect(issuable);
  const count = h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: 1 });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('issue'));
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      try {
        const r = await api.post(`/v1/ids/${type.value}/issue`, { count: Number(count.value) });
        out.replaceChildren(
          h('p', {}, t('issued_n', { n: r.ids.length, type: r.type.toUpperCase() })),
          h('ul', { class: 'mono issued' }, r.ids.map((id) => h('li', {}, id))));
        await onIssued();
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      } finally {
        submit.disabled = false;
      }
    },
  }, field(t('type'), type), field(t('count'), count), submit);
  return h('section', { class: 'card' }, h('h2', {}, t('issue_ids')), form, out);
}

function validateCard(api) {
  const type = typeSelect(validatable);
  const id = h('input', { name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api.get(
          `/v1/ids/${type.value}/validate/${encodeURIComponent(id.value.trim())}`);
        out.replaceChildren(r.valid ?
          h('p', { class: 'ok validation' }, t('valid', { id: r.id })) :
          h('div', { class: 'validation' },
            h('p', { class: 'bad' }, t('invalid', { id: r.id })),
            h('ul', {}, (r.errors || []).map((e) =>
              h('li', {}, h('span', { class: 'mono' }, e.code), ' ', e.message)))));
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      }
    },
  }, field(t('type'), type), field(t('identifier'), id), h('button', { type: 'submit' }, t('validate')));
  return h('section', { class: 'card' }, h('h2', {}, t('validate_id')), form, out);
}

// Capacity and use per type; `refresh()` reads the figures again (after an issue).
function capacityCard(api) {
  const card = h('section', { class: 'card' }, h('h2', {}, t('capacity')),
    table([t('type'), t('issued'), t('remaining'), t('total')], []));
  const body = card.querySelector('tbody');
  async function refresh() {
    const rows = [];
    for (const type of issuable) {
      try {
        const c = await api.get(`/v1/ids/${type}/capacity`);
        const total = c.exact ? c.count.toLocaleString() : `≈ ${Math.round(c.count).toLocaleString()}`;
        rows.push(h('tr', {}, h('td', {}, type.toUpperCase()),
          h('td', { class: 'num' }, c.issued.toLocaleString()),
          h('td', { class: 'num' }, Math.round(c.remaining).toLocaleString()),
          h('td', { class: 'num' }, total)));
      } catch (e) {
        rows.push(h('tr', {}, h('td', {}, type.toUpperCase()), h('td', { colspan: 3 }, e.message)));
      }
    }
    body.replaceChildren(...rows);
  }
  return { card, refresh };
}

// The token ID a partner sees for a UIN (MOSIP's token ID: the same pair, the same token).
function tokenCard(api) {
  const uin = h('input', { name: 'uin', required: true, autocomplete: 'off', spellcheck: 'false' });
  const partner = h('input', { name: 'partner', required: true, autocomplete: 'off' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api.get(`/v1/ids/tokens/${encodeURIComponent(uin.value.trim())}/` +
          `${encodeURIComponent(partner.value.trim())}`);
        out.replaceChildren(h('p', {}, t('ids_token_is'), ' ', h('span', { class: 'mono token-id' }, r.token_id)));
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      }
    },
  }, field('UIN', uin), field(t('ids_partner'), partner), h('button', { type: 'submit' }, t('ids_token')));
  return h('section', { class: 'card' }, h('h2', {}, t('ids_token_ids')), form, out);
}

function licenceTable(l) {
  const rows = [[t('ids_partner'), l.partner], [t('ids_status'), l.status],
    [t('ids_expires'), l.expires_at]];
  if (l.licence_key) rows.unshift([t('ids_licence_key'), l.licence_key]);
  if (l.valid === false) rows.push([t('ids_problem'), `${l.code} ${l.message}`]);
  return h('dl', { class: 'details licence' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, v)]));
}

// Licence keys: create one for a partner, look one up, and change its state.
function licenceCard(api, may) {
  const out = h('div', { 'aria-live': 'polite' });
  const partner = h('input', { name: 'partner', required: true, autocomplete: 'off' });
  const create = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const l = await api.post('/v1/ids/licences', { partner: partner.value.trim() });
        key.value = l.licence_key;
        out.replaceChildren(h('p', {}, t('ids_licence_created')), licenceTable(l));
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      }
    },
  }, field(t('ids_partner'), partner), h('button', { type: 'submit' }, t('ids_create_licence')));
  const key = h('input', { name: 'licence', required: true, autocomplete: 'off', spellcheck: 'false' });
  const path = () => `/v1/ids/licences/${encodeURIComponent(key.value.trim())}`;
  const act = (action) => h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      try {
        const l = await api.post(`${path()}/${action}`, {});
        out.replaceChildren(h('p', {}, t('ids_licence_changed')), licenceTable(l));
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      }
    } }, t(`ids_${action}`));
  const lookup = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        out.replaceChildren(licenceTable(await api.get(path())));
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      }
    },
  }, field(t('ids_licence_key'), key), h('button', { type: 'submit' }, t('ids_check')),
  may('POST /v1/ids/licences/{key}/{action}') ?
    ['suspend', 'reactivate', 'block', 'renew'].map(act) : null);
  return h('section', { class: 'card' }, h('h2', {}, t('ids_licences')),
    may('POST /v1/ids/licences') ? create : null, lookup, out);
}

export async function render(main, { api, may }) {
  const capacity = may(routes[2]) ? capacityCard(api) : null;
  if (may(routes[0])) main.append(issueCard(api, async () => capacity?.refresh()));
  if (may(routes[1])) main.append(validateCard(api));
  if (may(routes[3])) main.append(tokenCard(api));
  if (may(routes[5])) main.append(licenceCard(api, may));
  if (capacity) {
    main.append(capacity.card);
    await capacity.refresh();
  }
}
