// Keys, clients and users: the signing keys (the JWKS) with their state, rotation and an
// emergency retire; OAuth2 clients and password-grant users, listed and filtered on the server,
// added with their scopes (a client's secret is shown once), disabled and enabled.
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export const routes = [
  'GET /v1/identity/keys',
  'POST /v1/identity/keys/rotate',
  'POST /v1/identity/keys/{kid}/retire',
  'GET /v1/identity/clients',
  'POST /v1/identity/clients',
  'POST /v1/identity/clients/{id}/disable',
  'POST /v1/identity/clients/{id}/enable',
  'GET /v1/identity/users',
  'POST /v1/identity/users',
  'POST /v1/identity/users/{id}/disable',
  'POST /v1/identity/users/{id}/enable',
];

const pageSize = 20;
const when = (x) => (x ? formatTime(x) : '—');
const scopesOf = (text) => text.split(/[\s,]+/).filter(Boolean);

function keysCard(api, may, notify) {
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, t('keys_signing')));

  async function load() {
    try {
      const r = await api.get('/v1/identity/keys');
      out.replaceChildren(table(
        [t('keys_kid'), t('keys_alg'), t('keys_state'), t('keys_activates'), t('keys_retires'),
          t('keys_verifies_until'), may(routes[2]) ? t('keys_actions') : null].filter(Boolean),
        r.keys.map((k) => h('tr', {},
          h('td', { class: 'mono break' }, k.kid), h('td', {}, k.alg),
          h('td', {}, t(`keys_state_${k.state}`)), h('td', {}, when(k.activate_at)),
          h('td', {}, when(k.retire_at)), h('td', {}, when(k.verify_until)),
          may(routes[2]) ? h('td', {}, k.state === 'retired' ? '' : retireButton(k)) : null))));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }

  // Retiring is for a compromised key: it asks once more before it acts.
  function retireButton(k) {
    const cell = h('span');
    const ask = h('button', { type: 'button', class: 'secondary', onclick: () => {
      cell.replaceChildren(
        h('span', { class: 'bad' }, t('keys_retire_warning')), ' ',
        h('button', { type: 'button', 'aria-label': t('keys_retire_confirm', { kid: k.kid }), onclick: async () => {
          try {
            const r = await api.post(`/v1/identity/keys/${encodeURIComponent(k.kid)}/retire`);
            notify(t('keys_retired', { kid: r.retired.kid }));
          } catch (e) {
            notify(e.message);
          }
          await load();
        } }, t('keys_retire_now')));
    }, 'aria-label': t('keys_retire', { kid: k.kid }) }, t('keys_retire_short'));
    cell.append(ask);
    return cell;
  }

  if (may(routes[1])) {
    const alg = h('select', { name: 'alg' },
      ['', 'EdDSA', 'ES256', 'RS256', 'PS256'].map((a) =>
        h('option', { value: a }, a || t('keys_alg_default'))));
    const submit = h('button', { type: 'submit' }, t('keys_rotate'));
    card.append(h('p', { class: 'muted' }, t('keys_rotate_help')), h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        try {
          const r = await api.post('/v1/identity/keys/rotate', alg.value ? { alg: alg.value } : {});
          notify(t('keys_rotated', { kid: r.key.kid }));
          await load();
        } catch (e) {
          out.prepend(errorBox(e.message));
        } finally {
          submit.disabled = false;
        }
      },
    }, field(t('keys_alg'), alg), submit));
  }
  card.append(out);
  return { card, load };
}

// Clients or users: a list paged and filtered on the server, the add form, disable / enable.
function accountsCard(api, may, notify, kind) {
  const idField = kind === 'clients' ? 'client_id' : 'username';
  const base = `/v1/identity/${kind}`;
  const prefix = h('input', { name: `${kind}-prefix`, autocomplete: 'off', spellcheck: 'false' });
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, t(`keys_${kind}`)));
  const pages = [];  // `after` of the pages before this one

  async function load(after = '') {
    const q = new URLSearchParams({ limit: pageSize });
    if (prefix.value.trim()) q.set('prefix', prefix.value.trim());
    if (after) q.set('after', after);
    try {
      const r = await api.get(`${base}?${q}`);
      const toggle = (a) => {
        const action = a.disabled ? 'enable' : 'disable';
        if (!may(`POST ${base}/{id}/${action}`)) return '';
        return h('button', { type: 'button', class: 'secondary', onclick: async () => {
          try {
            await api.post(`${base}/${encodeURIComponent(a[idField])}/${action}`);
            notify(t(`keys_done_${action}`, { id: a[idField] }));
          } catch (e) {
            notify(e.message);
          }
          await load(after);
        } }, t(`keys_${action}`, { id: a[idField] }));
      };
      const previous = h('button', { type: 'button', class: 'secondary',
        disabled: pages.length === 0, onclick: () => load(pages.pop()) }, t('keys_previous'));
      const next = h('button', { type: 'button', class: 'secondary',
        disabled: r.next_after === null, onclick: () => { pages.push(after); load(r.next_after); } },
      t('keys_next'));
      out.replaceChildren(
        r[kind].length === 0 ? h('p', { class: 'muted' }, t('keys_none')) :
          table([t(`keys_${idField}`), t('keys_scopes'), t('keys_description'), t('keys_created'),
            t('keys_status'), t('keys_actions')],
          r[kind].map((a) => h('tr', {},
            h('td', { class: 'mono' }, a[idField]), h('td', { class: 'mono' }, a.scopes.join(' ')),
            h('td', {}, a.description), h('td', {}, when(a.created_at)),
            h('td', { class: a.disabled ? 'bad' : 'ok' },
              a.disabled ? t('keys_disabled') : t('keys_enabled')),
            h('td', {}, toggle(a))))),
        h('div', { class: 'pager' }, previous, next));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }

  card.append(h('form', {
    class: 'inline',
    onsubmit: (ev) => { ev.preventDefault(); pages.length = 0; load(); },
  }, field(t('keys_prefix', { what: t(`keys_${idField}`) }), prefix),
  h('button', { type: 'submit' }, t('filter'))), out);
  if (may(`POST ${base}`)) card.append(addForm());
  return { card, load };

  function addForm() {
    const id = h('input', { name: idField, required: true, autocomplete: 'off', spellcheck: 'false' });
    const password = kind === 'users' ?
      h('input', { name: 'new-password', type: 'password', required: true,
        autocomplete: 'new-password' }) : null;
    const scopes = h('input', { name: `${kind}-scopes`, autocomplete: 'off', spellcheck: 'false' });
    const description = h('input', { name: `${kind}-description`, autocomplete: 'off' });
    const result = h('div', { 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit' }, t(`keys_add_${kind}`));
    return h('div', {}, h('h3', {}, t(`keys_add_${kind}_title`)), h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        const body = { [idField]: id.value.trim(), scopes: scopesOf(scopes.value) };
        if (description.value.trim()) body.description = description.value.trim();
        if (password) body.password = password.value;
        try {
          const r = await api.post(base, body);
          // A client's secret is shown this once, to copy now.
          result.replaceChildren(r.client_secret ?
            h('div', { class: 'secret' },
              h('p', {}, t('keys_secret_once', { id: r.client_id })),
              h('p', {}, h('code', { class: 'mono' }, r.client_secret))) :
            h('p', { class: 'ok' }, t('keys_user_added', { id: r.username })));
          id.value = '';
          if (password) password.value = '';
          pages.length = 0;
          await load();
        } catch (e) {
          result.replaceChildren(errorBox(e.message));
        } finally {
          submit.disabled = false;
        }
      },
    }, field(t(`keys_${idField}`), id), password ? field(t('keys_password'), password) : null,
    field(t('keys_scopes_help'), scopes), field(t('keys_description'), description), submit),
    result);
  }
}

export async function render(main, { api, may, notify }) {
  const cards = [];
  if (may(routes[0])) cards.push(keysCard(api, may, notify));
  if (may(routes[3])) cards.push(accountsCard(api, may, notify, 'clients'));
  if (may(routes[7])) cards.push(accountsCard(api, may, notify, 'users'));
  main.append(...cards.map((c) => c.card));
  await Promise.all(cards.map((c) => c.load()));
}
