// The member's portal (intercoop source side, issue 15): the organisations and services the
// member can send their data to, and the consent page that shows exactly the fields and values
// that would go, in the member's language, with the target's privacy policy. Accepting sends them
// and takes the browser to the target's continuation page. The member is the signed-in subject.
import { errorBox, h, table } from '../dom.js';
import { language, languageChosen, t } from '../i18n.js';
import { fieldLabel, fieldValue, text } from './intercoop_fields.js';

export const routes = [
  'GET /v1/intercoop/catalogue',
  'GET /v1/intercoop/transfers/preview',
  'POST /v1/intercoop/transfers',
];
// Shown to members only: the shell keeps the overview for people with an operator's page.
export const member = true;

function query(params) {
  return new URLSearchParams({ ...params, lang: language() }).toString();
}

async function showCatalogue(view, ctx) {
  const { api, session } = ctx;
  view.replaceChildren(h('p', {}, t('loading')));
  let r;
  try {
    r = await api.get(`/v1/intercoop/catalogue?${query({ member: session.subject })}`);
  } catch (e) {
    view.replaceChildren(errorBox(e.status === 404 ? t('portal_not_member') : e.message));
    return;
  }
  // The member's pages speak the member's language (their record's), unless they chose another.
  if (ctx.useLanguage && r.lang && r.lang !== language() && !languageChosen() &&
      await ctx.useLanguage(r.lang)) return;
  if (r.peers.length === 0) {
    view.replaceChildren(h('p', { class: 'muted' }, t('portal_nothing')));
    return;
  }
  view.replaceChildren(
    h('p', {}, t('portal_intro')),
    ...r.peers.map((p) => h('section', { class: 'card peer' },
      h('h2', {}, p.name),
      text(p.description) ? h('p', {}, text(p.description)) : null,
      ...p.services.map((s) => h('div', { class: 'service' },
        h('h3', {}, text(s.title) || s.service),
        text(s.description) ? h('p', {}, text(s.description)) : null,
        h('p', { class: 'muted' }, t('portal_needs', { fields: s.fields.map(fieldLabel).join(', ') })),
        h('button', {
          type: 'button',
          'aria-label': t('portal_use_named', { service: text(s.title) || s.service, peer: p.name }),
          onclick: () => showConsent(view, ctx, p.peer, s.service),
        }, t('portal_use')))))));
}

async function showConsent(view, ctx, peer, service) {
  const { api, session } = ctx;
  view.replaceChildren(h('p', {}, t('loading')));
  let v;
  try {
    v = await api.get(`/v1/intercoop/transfers/preview?${query({ member: session.subject, peer, service })}`);
  } catch (e) {
    view.replaceChildren(errorBox(e.message),
      h('button', { type: 'button', class: 'secondary', onclick: () => showCatalogue(view, ctx) }, t('portal_back')));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const accept = h('button', { type: 'button' }, t('portal_accept'));
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => showCatalogue(view, ctx) },
    t('portal_cancel'));
  accept.addEventListener('click', async () => {
    accept.disabled = true;
    cancel.disabled = true;
    status.replaceChildren(h('p', { role: 'status' }, t('portal_sending', { peer: v.peer_name })));
    try {
      // A refusal's words in the language the member reads (?lang=).
      const r = await api.post(`/v1/intercoop/transfers?${query({})}`, { member: session.subject, peer, service });
      status.replaceChildren(h('p', { role: 'status' }, t('portal_sent')));
      location.assign(r.continuation_url);
    } catch (e) {
      status.replaceChildren(errorBox(e.message));
      cancel.disabled = false;
    }
  });
  const rows = Object.entries(v.fields).map(([name, value]) =>
    h('tr', {}, h('th', { scope: 'row' }, fieldLabel(name)), h('td', { class: 'value' }, fieldValue(value))));
  view.replaceChildren(h('section', { class: 'card consent' },
    h('h2', { tabindex: -1 }, t('portal_consent_title', { peer: v.peer_name })),
    h('p', {}, t('portal_consent_intro', { peer: v.peer_name, service: text(v.title) || v.service })),
    text(v.description) ? h('p', { class: 'muted' }, text(v.description)) : null,
    table([t('field'), t('value')], rows),
    v.privacy_policy_url ?
      h('p', {}, h('a', { href: v.privacy_policy_url, rel: 'noopener noreferrer', target: '_blank' },
        t('portal_privacy', { peer: v.peer_name }))) :
      h('p', { class: 'muted' }, t('portal_no_privacy', { peer: v.peer_name })),
    h('p', { class: 'muted' }, t('portal_version', { version: v.version })),
    h('div', { class: 'pager' }, accept, cancel),
    status));
  view.querySelector('h2').focus();
}

export async function render(view, ctx) {
  await showCatalogue(view, ctx);
}
