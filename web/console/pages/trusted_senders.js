// The trusted DCI senders of one module, shared by the IBR page (/v1/ibr/senders: the systems
// that report and search) and the duplication checks page (/v1/dci/senders: the IBRs whose
// answers and callbacks we accept). Both modules mount the same routes (src/dci/sender_routes.cpp):
// list, add or replace, disable, and "fetch public key" from the sender's JWKS URL.
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export function senderRoutes(base) {
  return [`GET ${base}`, `POST ${base}`, `POST ${base}/{sender_id}/disable`,
    `POST ${base}/{sender_id}/fetch-key`];
}

function keyCell(s) {
  if (s.jwks_url) return h('span', {}, t('dci_sender_jwks'), ' ', h('span', { class: 'mono' }, s.jwks_url));
  if (s.public_key) return t('dci_sender_pinned');
  return '—';
}

function fetchCell(s) {
  if (!s.last_key_fetch) return '—';
  return h('span', {}, formatTime(s.last_key_fetch), ' ',
    h('span', { class: 'mono' }, s.last_key_fetch_result || ''));
}

// A card listing the senders of `base`, with the actions the person may take. `withCallback`:
// the sender has a callback URL (the IBR's senders).
export function sendersCard(api, may, notify, base, { withCallback = false } = {}) {
  const [listRoute, addRoute, disableRoute, fetchRoute] = senderRoutes(base);
  const list = h('div', { 'aria-live': 'polite' });
  const fetched = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, t('dci_senders')), list, fetched);
  const path = (id, action) => `${base}/${encodeURIComponent(id)}/${action}`;

  async function fetchKey(s) {
    try {
      const r = await api.post(path(s.sender_id, 'fetch-key'));
      fetched.replaceChildren(h('p', { class: 'ok' },
        t('dci_sender_keys_found', { sender: s.sender_id, n: r.keys.length })),
      h('ul', { class: 'mono' }, r.keys.map((k) => h('li', {}, `${k.kid} (${k.type})`))));
    } catch (e) {
      // 502: the fetch failed; the answer says why in `error`.
      fetched.replaceChildren(errorBox(e.body?.error ? t('dci_sender_fetch_failed',
        { sender: s.sender_id, error: e.body.error }) : e.message));
    }
    await load();
  }

  async function disable(s) {
    try {
      await api.post(path(s.sender_id, 'disable'));
      notify(t('dci_sender_disabled', { sender: s.sender_id }));
    } catch (e) {
      fetched.replaceChildren(errorBox(e.message));
    }
    await load();
  }

  async function load() {
    try {
      const r = await api.get(base);
      const rows = r.senders.map((s) => h('tr', {},
        h('td', { class: 'mono' }, s.sender_id), h('td', {}, s.name),
        h('td', {}, keyCell(s)),
        h('td', {}, s.active ? t('dci_yes') : t('dci_no')),
        h('td', {}, fetchCell(s)),
        h('td', {},
          s.jwks_url && may(fetchRoute) ? h('button', { type: 'button', class: 'secondary',
            'aria-label': t('dci_sender_fetch_key_of', { sender: s.sender_id }),
            onclick: () => fetchKey(s) }, t('dci_sender_fetch_key')) : null,
          s.active && may(disableRoute) ? h('button', { type: 'button', class: 'secondary',
            'aria-label': t('dci_sender_disable_of', { sender: s.sender_id }),
            onclick: () => disable(s) }, t('dci_sender_disable')) : null)));
      list.replaceChildren(rows.length === 0 ? h('p', { class: 'muted' }, t('dci_senders_none')) :
        table([t('dci_sender_id'), t('dci_sender_name'), t('dci_sender_key'), t('dci_active'),
          t('dci_sender_last_fetch'), t('dci_actions')], rows));
    } catch (e) {
      list.replaceChildren(errorBox(e.message));
    }
  }

  if (may(addRoute)) {
    const id = h('input', { name: 'sender_id', required: true, autocomplete: 'off' });
    const name = h('input', { name: 'name', autocomplete: 'off' });
    const key = h('input', { name: 'public_key', autocomplete: 'off', spellcheck: 'false' });
    const jwks = h('input', { name: 'jwks_url', type: 'url', autocomplete: 'off' });
    const callback = withCallback ? h('input', { name: 'callback_url', type: 'url', autocomplete: 'off' }) : null;
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = { sender_id: id.value.trim(), name: name.value.trim() };
        if (key.value.trim()) body.public_key = key.value.trim();
        if (jwks.value.trim()) body.jwks_url = jwks.value.trim();
        if (callback?.value.trim()) body.callback_url = callback.value.trim();
        try {
          const s = await api.post(base, body);
          out.replaceChildren(h('p', { class: 'ok' }, t('dci_sender_added', { sender: s.sender_id })));
          form.reset();
          await load();
        } catch (e) {
          out.replaceChildren(errorBox(e.message));
        }
      },
    }, field(t('dci_sender_id'), id), field(t('dci_sender_name'), name),
    field(t('dci_sender_public_key'), key), field(t('dci_sender_jwks_url'), jwks),
    callback ? field(t('dci_sender_callback_url'), callback) : null,
    h('button', { type: 'submit' }, t('dci_sender_add')));
    card.append(h('h3', {}, t('dci_sender_add_title')), form, out);
  }
  return { card, load };
}
