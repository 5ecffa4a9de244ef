// IBR: the enrollments senders reported (filtered and paged on the server), a beneficiary's
// duplicate candidates with their scores and matched fields, and the trusted senders.
import { errorBox, field, h, table } from '../dom.js';
import { t } from '../i18n.js';
import { senderRoutes, sendersCard } from './trusted_senders.js';

const listRoute = 'GET /v1/ibr/enrollments';
const duplicatesRoute = 'GET /v1/ibr/enrollments/{sender_id}/{reference_id}/duplicates';
export const routes = [listRoute, duplicatesRoute, ...senderRoutes('/v1/ibr/senders')];

const pageSize = 20;

function identifiers(list) {
  return list.map((i) => `${i.type}: ${i.value}`).join(', ');
}

function programmes(list) {
  return list.map((e) => (e.status ? `${e.programme_name || e.programme_id} (${e.status})` :
    e.programme_name || e.programme_id)).join(', ');
}

function duplicatesCard(api) {
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card', hidden: true }, h('h2', {}, t('ibr_duplicates')), out);
  async function show(b) {
    card.hidden = false;
    out.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    try {
      const r = await api.get(`/v1/ibr/enrollments/${encodeURIComponent(b.sender_id)}/` +
        `${encodeURIComponent(b.reference_id)}/duplicates`);
      const who = h('p', {}, t('ibr_duplicates_of', { name: b.name || b.reference_id,
        sender: b.sender_id, reference: b.reference_id }));
      out.replaceChildren(who, r.candidates.length === 0 ?
        h('p', { class: 'muted' }, t('ibr_no_duplicates')) :
        table([t('ibr_sender'), t('ibr_reference'), t('ibr_name'), t('ibr_birth_date'),
          t('ibr_identifiers'), t('ibr_score'), t('ibr_level'), t('ibr_matched_fields'),
          t('ibr_programmes')],
        r.candidates.map((c) => h('tr', {}, h('td', { class: 'mono' }, c.sender_id),
          h('td', { class: 'mono' }, c.reference_id), h('td', {}, c.name), h('td', {}, c.birth_date),
          h('td', { class: 'mono' }, identifiers(c.identifiers)),
          h('td', { class: 'num' }, c.score.toFixed(3)), h('td', {}, t(`ibr_level_${c.level}`)),
          h('td', {}, c.matched_fields.map((f) => t(`ibr_field_${f}`)).join(', ')),
          h('td', {}, programmes(c.enrollments))))));
    } catch (e) {
      out.replaceChildren(errorBox(e.message));
    }
  }
  return { card, show };
}

function enrollmentsCard(api, may, duplicates) {
  const sender = h('input', { name: 'sender', autocomplete: 'off' });
  const identifier = h('input', { name: 'identifier', autocomplete: 'off', spellcheck: 'false' });
  const programme = h('input', { name: 'programme', autocomplete: 'off' });
  const results = h('div', { 'aria-live': 'polite' });
  const cursors = [];  // the `after` of each page shown before this one

  async function load(after) {
    const q = new URLSearchParams({ limit: pageSize });
    if (sender.value.trim()) q.set('sender', sender.value.trim());
    if (identifier.value.trim()) q.set('identifier', identifier.value.trim());
    if (programme.value.trim()) q.set('programme', programme.value.trim());
    if (after) q.set('after', after);
    try {
      const r = await api.get(`/v1/ibr/enrollments?${q}`);
      const previous = h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 0,
        onclick: () => load(cursors.pop()) }, t('ibr_previous'));
      const next = h('button', { type: 'button', class: 'secondary', disabled: !r.next,
        onclick: () => { cursors.push(after || ''); load(r.next); } }, t('ibr_next'));
      const rows = r.items.map((b) => h('tr', {},
        h('td', { class: 'mono' }, b.sender_id), h('td', { class: 'mono' }, b.reference_id),
        h('td', {}, b.name), h('td', {}, b.birth_date), h('td', {}, b.sex),
        h('td', { class: 'mono' }, identifiers(b.identifiers)), h('td', {}, programmes(b.enrollments)),
        h('td', {}, may(duplicatesRoute) ? h('button', { type: 'button', class: 'secondary',
          'aria-label': t('ibr_find_duplicates_of', { reference: b.reference_id }),
          onclick: () => duplicates.show(b) }, t('ibr_find_duplicates')) : null)));
      results.replaceChildren(
        rows.length === 0 ? h('p', { class: 'muted' }, t('ibr_no_enrollments')) :
          table([t('ibr_sender'), t('ibr_reference'), t('ibr_name'), t('ibr_birth_date'), t('ibr_sex'),
            t('ibr_identifiers'), t('ibr_programmes'), t('dci_actions')], rows),
        h('div', { class: 'pager' }, previous, next));
    } catch (e) {
      results.replaceChildren(errorBox(e.message));
    }
  }

  const form = h('form', {
    class: 'inline',
    onsubmit: (ev) => { ev.preventDefault(); cursors.length = 0; load(''); },
  }, field(t('ibr_sender'), sender), field(t('ibr_identifier'), identifier),
  field(t('ibr_programme'), programme), h('button', { type: 'submit' }, t('ibr_search')));
  return { card: h('section', { class: 'card' }, h('h2', {}, t('ibr_enrollments')), form, results),
    load: () => load('') };
}

export async function render(main, { api, may, notify }) {
  const duplicates = duplicatesCard(api);
  if (may(listRoute)) {
    const enrollments = enrollmentsCard(api, may, duplicates);
    main.append(enrollments.card, duplicates.card);
    await enrollments.load();
  }
  if (may('GET /v1/ibr/senders')) {
    const senders = sendersCard(api, may, notify, '/v1/ibr/senders', { withCallback: true });
    main.append(senders.card);
    await senders.load();
  }
}
