// Identifiers: issue, validate (with every reason for a rejection), capacity and use per type.
import { errorBox, field, h, table } from '../dom.js';
import { t } from '../i18n.js';

export const routes = [
  'POST /v1/ids/{type}/issue',
  'GET /v1/ids/{type}/validate/{id}',
  'GET /v1/ids/{type}/capacity',
];

const issuable = ['uin', 'vid', 'prid'];
const validatable = ['uin', 'vid', 'prid', 'rid', 'misp'];

function typeSelect(types) {
  return h('select', { name: 'type' }, types.map((x) => h('option', { value: x }, x.toUpperCase())));
}

function issueCard(api) {
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

async function capacityCard(api) {
  const card = h('section', { class: 'card' }, h('h2', {}, t('capacity')),
    table([t('type'), t('issued'), t('remaining'), t('total')], []));
  const body = card.querySelector('tbody');
  for (const type of issuable) {
    try {
      const c = await api.get(`/v1/ids/${type}/capacity`);
      const total = c.exact ? c.count : `≈ ${Math.round(c.count).toLocaleString()}`;
      body.append(h('tr', {}, h('td', {}, type.toUpperCase()),
        h('td', { class: 'num' }, c.issued.toLocaleString()),
        h('td', { class: 'num' }, Math.round(c.remaining).toLocaleString()),
        h('td', { class: 'num' }, typeof total === 'number' ? total.toLocaleString() : total)));
    } catch (e) {
      body.append(h('tr', {}, h('td', {}, type.toUpperCase()), h('td', { colspan: 3 }, e.message)));
    }
  }
  return card;
}

export async function render(main, { api, may }) {
  if (may(routes[0])) main.append(issueCard(api));
  if (may(routes[1])) main.append(validateCard(api));
  if (may(routes[2])) main.append(await capacityCard(api));
}
