// Roles and proxies: look up an estate, see each role with why it holds (a court event, an
// individual proxy and the heir who granted it, the collective rule and the heirs whose grants
// make it hold), add or remove an individual proxy and watch the collective proxy follow.
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export const routes = [
  'GET /v1/authz/estates/{ssn}',
  'POST /api/v1/authorization/proxies/add',
  'POST /api/v1/authorization/proxies/remove',
];
const [reportRoute, addRoute, removeRoute] = routes;

// The API checks the SSN and says what is wrong (no pattern here: its words, not the browser's).
const ssnInput = (name) =>
  h('input', { name, required: true, inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false' });

// One sentence for a row's structured reason (GET /v1/authz/estates/{ssn}, docs/operations.md).
function why(reason) {
  switch (reason.kind) {
    case 'court': return t('authz_why_court');
    case 'individual': return t('authz_why_individual', { heir: reason.granted_by });
    case 'collective': {
      const heirs = reason.granted_by.join(', ');
      if (reason.rule === 'all_probate_heirs') return t('authz_why_all_heirs', { heirs });
      if (reason.rule === 'all_other_probate_heirs')
        return heirs ? t('authz_why_other_heirs', { heirs }) : t('authz_why_sole_heir');
      return t('authz_why_stale');
    }
    default: return t('authz_why_other');
  }
}

function change(report, heir, recipient) {
  return { estateSsn: report.estate, heirSsn: heir, recipientSsn: recipient,
    'urn:digitaltdodsbo:rolecode': report.vocabulary.individual_proxy };
}

export async function render(main, { api, may, notify }) {
  const ssn = ssnInput('estate');
  const out = h('div', { 'aria-live': 'polite' });

  async function show() {
    const estate = ssn.value.trim();
    out.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    try {
      const report = await api.get(`/v1/authz/estates/${encodeURIComponent(estate)}`);
      out.replaceChildren(...estateView(report));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }

  // Runs a proxy change, then shows the estate again (the collective proxy follows the change).
  async function act(message, fn) {
    try {
      await fn();
      notify(message);
      await show();
    } catch (e) {
      out.prepend(errorBox(e.message));
    }
  }

  function estateView(report) {
    const row = (a, action) => h('tr', {},
      h('td', { class: 'mono' }, a.recipient), h('td', { class: 'mono break' }, a.role),
      h('td', { class: 'why' }, why(a.reason)), h('td', {}, formatTime(a.created)),
      action === undefined ? null : h('td', {}, action));
    const canRemove = may(removeRoute);
    const removeButton = (a) => a.reason.kind !== 'individual' ? '' :
      h('button', { type: 'button', class: 'secondary',
        onclick: () => act(t('authz_removed', { recipient: a.recipient }), () =>
          api.post('/api/v1/authorization/proxies/remove',
            { remove: change(report, a.reason.granted_by, a.recipient) })) },
      t('authz_remove', { heir: a.reason.granted_by, recipient: a.recipient }));
    const headers = [t('authz_recipient'), t('authz_role'), t('authz_why'), t('authz_since')];
    const parts = [
      h('h2', {}, t('authz_estate_title', { estate: report.estate })),
      h('h3', {}, t('authz_roles')),
      report.roles.length === 0 ? h('p', { class: 'muted' }, t('authz_no_roles')) :
        table(headers, report.roles.map((a) => row(a))),
      h('h3', {}, t('authz_proxies')),
      report.proxies.length === 0 ? h('p', { class: 'muted' }, t('authz_no_proxies')) :
        table(canRemove ? [...headers, t('authz_actions')] : headers,
          report.proxies.map((a) => row(a, canRemove ? removeButton(a) : undefined))),
    ];
    if (report.pending.length)
      parts.push(h('h3', {}, t('authz_pending')),
        h('ul', {}, report.pending.map((p) =>
          h('li', {}, h('span', { class: 'mono' }, p.recipient), ' — ', why(p)))));
    if (may(addRoute)) parts.push(addForm(report));
    return parts;
  }

  // The heirs who may grant are the probate certificate's holders.
  function addForm(report) {
    const heirs = report.roles.filter((a) => a.role === report.vocabulary.probate_certificate)
      .map((a) => a.recipient);
    const heir = h('select', { name: 'heir' }, heirs.map((x) => h('option', { value: x }, x)));
    const recipient = ssnInput('recipient');
    const submit = h('button', { type: 'submit', disabled: heirs.length === 0 }, t('authz_add'));
    return h('section', { class: 'card' }, h('h3', {}, t('authz_add_title')),
      heirs.length ? null : h('p', { class: 'muted' }, t('authz_no_heirs')),
      h('form', {
        class: 'inline',
        onsubmit: (ev) => {
          ev.preventDefault();
          act(t('authz_added', { recipient: recipient.value.trim() }), () =>
            api.post('/api/v1/authorization/proxies/add',
              { add: change(report, heir.value, recipient.value.trim()) }));
        },
      }, field(t('authz_heir'), heir), field(t('authz_recipient_ssn'), recipient), submit));
  }

  main.append(
    h('form', {
      class: 'inline',
      onsubmit: (ev) => { ev.preventDefault(); show(); },
    }, field(t('authz_estate'), ssn), h('button', { type: 'submit' }, t('authz_show'))),
    out);
}
