import { field, h, errorBox } from '../dom.js';
import { t } from '../i18n.js';

export function render(main, { onSignIn, message }) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit' }, t('sign_in'));
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'stack',
    onsubmit: async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      status.replaceChildren();
      try {
        await onSignIn(username.value, password.value);
      } catch (e) {
        status.replaceChildren(errorBox(e.message));
        password.value = '';
        password.focus();
      } finally {
        submit.disabled = false;
      }
    },
  }, field(t('username'), username), field(t('password'), password), submit);
  main.append(h('div', { class: 'signin' },
    h('h1', {}, t('sign_in')),
    message ? h('p', { role: 'status' }, message) : null,
    form, status));
  username.focus();
}
