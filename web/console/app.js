// The console's shell: sign-in, navigation by URL fragment (#/ids), the language, and one page
// per module. A page appears only when the person holds a scope it needs and its module runs in
// this server; the API refuses the action anyway when they do not.
import { api, currentSession, may, signIn, signOut, whenExpired } from './api.js';
import { h } from './dom.js';
import { browserLanguage, language, languageChosen, languages, setLanguage, t } from './i18n.js';
import * as audit from './pages/audit.js';
import * as authz from './pages/authz.js';
import * as consents from './pages/consents.js';
import * as dci from './pages/dci.js';
import * as ibr from './pages/ibr.js';
import * as ids from './pages/ids.js';
import * as intercoop from './pages/intercoop.js';
import * as keys from './pages/keys.js';
import * as overview from './pages/overview.js';
import * as portal from './pages/portal.js';
import * as signin from './pages/signin.js';
import * as sync from './pages/sync.js';

// id, module (null: the platform), page. A page module exports `routes`: the API routes it
// uses; it is shown when the person may call at least one of them.
const pages = [
  { id: 'overview', module: null, page: overview },
  { id: 'ids', module: 'ids', page: ids },
  { id: 'ibr', module: 'ibr', page: ibr },
  { id: 'dci', module: 'dci_client', page: dci },
  { id: 'authz', module: 'authz', page: authz },
  { id: 'sync', module: 'sync', page: sync },
  { id: 'keys', module: 'identity', page: keys },
  { id: 'audit', module: null, page: audit },
  { id: 'intercoop', module: 'intercoop', page: intercoop },
  // The member's portal (a page module exporting `member = true`): members see only these.
  { id: 'portal', module: 'intercoop', page: portal },
  { id: 'consents', module: 'intercoop', page: consents },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const notice = document.getElementById('notice');

function notify(message) {
  notice.textContent = message;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (notice.textContent = ''), 6000);
}

// A page without `routes` (the overview) is for operators: people who may use some page that
// is not a member's. A member (of intercoop's portal) sees the member pages only.
function visiblePages() {
  const s = currentSession();
  const usable = pages.filter(
    (p) => (!p.module || s.modules.includes(p.module)) && p.page.routes?.some(may));
  const operator = usable.some((p) => !p.page.member);
  return pages.filter((p) => usable.includes(p) || (!p.page.routes && operator));
}

function renderNav(activeId) {
  const list = nav.querySelector('ul');
  list.replaceChildren(
    ...visiblePages().map((p) =>
      h('li', {}, h('a', { href: `#/${p.id}`, 'aria-current': p.id === activeId ? 'page' : null },
        t(`page_${p.id}`)))));
  nav.hidden = false;
}

function renderHeader() {
  const s = currentSession();
  document.getElementById('who').textContent = s ? t('signed_in_as', { subject: s.subject }) : '';
  document.getElementById('signout').hidden = !s;
}

async function route() {
  renderHeader();
  if (!currentSession()) {
    nav.hidden = true;
    document.title = `${t('sign_in')} · registrar`;
    main.replaceChildren();
    signin.render(main, { onSignIn: doSignIn, message: route.message });
    route.message = null;
    return;
  }
  const wanted = location.hash.replace(/^#\//, '');
  const entry = visiblePages().find((p) => p.id === wanted) || visiblePages()[0];
  if (!entry) {
    nav.hidden = true;
    main.replaceChildren(h('h1', {}, t('nothing_here')));
    return;
  }
  renderNav(entry.id);
  document.title = `${t(`page_${entry.id}`)} · registrar`;
  // Each render fills its own view: one that an earlier navigation started and finishes late
  // fills a view no longer on the page.
  const view = h('div');
  main.replaceChildren(h('h1', {}, t(`page_${entry.id}`)), view);
  main.focus();
  await entry.page.render(view, { api, may, notify, session: currentSession(), useLanguage });
}

// Changes the address without a hashchange event (the caller routes itself).
function setHash(hash) {
  history.replaceState(null, '', `${location.pathname}${hash}`);
}

async function doSignIn(username, password) {
  await signIn(username, password);
  // The landing page is the first the person may see (the overview for operators).
  if (!location.hash && visiblePages()[0]) setHash(`#/${visiblePages()[0].id}`);
  await route();
}

whenExpired((message) => {
  route.message = message;
  route();
});

document.getElementById('signout').addEventListener('click', () => {
  signOut();
  route.message = t('signed_out');
  setHash('');
  route();
});

const lang = document.getElementById('lang');
lang.addEventListener('change', async () => {
  await setLanguage(lang.value, true);
  route();
});

// A page may start the console in the person's own language (a member's, from their record)
// unless they chose one in the selector. True when it changed: the page is shown again.
async function useLanguage(wanted) {
  if (languageChosen() || wanted === language() || !languages.includes(wanted)) return false;
  await setLanguage(wanted);
  lang.value = wanted;
  route();
  return true;
}

window.addEventListener('hashchange', route);

(async () => {
  await setLanguage(browserLanguage());
  lang.value = document.documentElement.lang;
  route();
})();
