// Labels in one JSON file per language (i18n/<lang>.json). A key missing from a language falls
// back to English, then to the key itself, so a half-translated file never breaks a page.
const loaded = {};
let current = 'en';
let chosen = false;  // the person picked the language in the selector

async function load(lang) {
  if (!loaded[lang]) {
    const r = await fetch(`/console/i18n/${lang}.json`);
    loaded[lang] = r.ok ? await r.json() : {};
  }
  return loaded[lang];
}

export const languages = ['en', 'es', 'fr', 'ca'];

// `byPerson`: the person chose it (a page then no longer picks one for them).
export async function setLanguage(lang, byPerson = false) {
  if (!languages.includes(lang)) lang = 'en';
  chosen ||= byPerson;
  await load('en');
  await load(lang);
  current = lang;
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

export function language() {
  return current;
}

export function languageChosen() {
  return chosen;
}

// The preferred language among ours, from the browser's list.
export function browserLanguage() {
  for (const l of navigator.languages || [])
    if (languages.includes(l.slice(0, 2))) return l.slice(0, 2);
  return 'en';
}

export function t(key, vars = {}) {
  const text = loaded[current]?.[key] ?? loaded.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(current);
}
