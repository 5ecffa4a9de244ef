// The audit log, filtered and paged on the server (newest first; "older" follows next_before).
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';

export const routes = ['GET /v1/audit/events'];

const pageSize = 25;

export async function render(main, { api }) {
  const actor = h('input', { name: 'actor', autocomplete: 'off' });
  const action = h('input', { name: 'action', autocomplete: 'off', placeholder: 'ids.issue' });
  const subject = h('input', { name: 'subject', autocomplete: 'off' });
  const results = h('div', { 'aria-live': 'polite' });
  const stack = [];  // `before` of the pages already shown, for "newer"

  async function load(before) {
    const q = new URLSearchParams({ limit: pageSize });
    if (actor.value) q.set('actor', actor.value);
    if (action.value) q.set('action', action.value);
    if (subject.value) q.set('subject', subject.value);
    if (before) q.set('before', before);
    try {
      const r = await api.get(`/v1/audit/events?${q}`);
      const newer = h('button', {
        type: 'button', class: 'secondary', disabled: stack.length === 0,
        onclick: () => load(stack.pop() || 0) }, t('newer'));
      const older = h('button', {
        type: 'button', class: 'secondary', disabled: r.next_before === null,
        onclick: () => { stack.push(before || 0); load(r.next_before); } }, t('older'));
      results.replaceChildren(
        r.events.length === 0 ? h('p', { class: 'muted' }, t('no_events')) :
          table([t('time'), t('actor'), t('action'), t('subject'), t('request')],
            r.events.map((e) => h('tr', {}, h('td', {}, formatTime(e.at)), h('td', {}, e.actor),
              h('td', { class: 'mono' }, e.action), h('td', { class: 'mono break' }, e.subject),
              h('td', { class: 'mono break' }, e.request_id)))),
        h('div', { class: 'pager' }, newer, older));
    } catch (e) {
      results.replaceChildren(errorBox(e.message));
    }
  }

  main.append(
    h('form', {
      class: 'inline',
      onsubmit: (ev) => { ev.preventDefault(); stack.length = 0; load(0); },
    }, field(t('actor'), actor), field(t('action'), action), field(t('subject'), subject),
    h('button', { type: 'submit' }, t('filter'))),
    results);
  await load(0);
}
