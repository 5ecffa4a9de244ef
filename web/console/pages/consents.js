// The member's own consent log (intercoop source side): which data went to which organisation,
// when, for which service, in which protocol version, and what the organisation answered.
import { errorBox, h, table } from '../dom.js';
import { formatTime, language, t } from '../i18n.js';
import { fieldLabel, fieldValue, text } from './intercoop_fields.js';

export const routes = ['GET /v1/intercoop/transfers'];
export const member = true;

function answerText(c, names) {
  if (c.outcome === 'accepted') return t('consents_accepted');
  if (c.outcome === 'pending') return t('consents_pending');
  if (c.outcome === 'unanswered') return t('consents_unanswered', { peer: names[c.peer] || c.peer });
  const a = c.answer || {};
  return t('consents_refused', { peer: names[c.peer] || c.peer, message: a.message || a.error || '' });
}

export async function render(view, { api, may, session }) {
  let r;
  try {
    r = await api.get(`/v1/intercoop/transfers?member=${encodeURIComponent(session.subject)}`);
  } catch (e) {
    view.append(errorBox(e.status === 404 ? t('portal_not_member') : e.message));
    return;
  }
  // The organisations' names and the services' titles, from the catalogue when the member may
  // read it.
  const names = {};
  const titles = {};
  if (may('GET /v1/intercoop/catalogue')) {
    try {
      const c = await api.get(`/v1/intercoop/catalogue?${new URLSearchParams(
        { member: session.subject, lang: language() })}`);
      for (const p of c.peers) {
        names[p.peer] = p.name;
        for (const s of p.services) titles[`${p.peer}/${s.service}`] = text(s.title);
      }
    } catch {
      // The log reads the same with the organisations' ids.
    }
  }
  if (r.transfers.length === 0) {
    view.append(h('p', { class: 'muted' }, t('consents_none')));
    return;
  }
  view.append(table(
    [t('consents_sent'), t('consents_to'), t('consents_service'), t('consents_data'), t('version'),
      t('consents_answer')],
    r.transfers.map((c) => h('tr', { class: `consent ${c.outcome}` },
      h('td', {}, formatTime(c.sent)),
      h('td', {}, names[c.peer] || c.peer),
      h('td', {}, titles[`${c.peer}/${c.service}`] || c.service),
      h('td', {}, h('dl', { class: 'sent' }, Object.entries(c.fields).flatMap(([name, value]) =>
        [h('dt', {}, fieldLabel(name)), h('dd', {}, fieldValue(value))]))),
      h('td', {}, c.version),
      h('td', {}, answerText(c, names))))));
}
