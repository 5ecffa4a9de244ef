// Labels of the intercoop field vocabulary (spec §1.2, the original's label table) in the
// console's language, and how a sent value reads. Shared by the member's pages and the
// operators' page.
import { h } from '../dom.js';
import { t } from '../i18n.js';

// A field's label; a field outside the vocabulary shows its own name.
export function fieldLabel(name) {
  const key = `intercoop_field_${name}`;
  const label = t(key);
  return label === key ? name : label;
}

// A value as the original's consent page shows it: a list as a list, null as "---".
export function fieldValue(value) {
  if (value === null || value === undefined) return '---';
  if (Array.isArray(value)) return h('ul', { class: 'plain' }, value.map((v) => h('li', {}, fieldValue(v))));
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// A translatable text the API already translated (a string), or a mapping it could not
// (shown in Spanish, the protocol's fallback, else any).
export function text(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return value.es ?? Object.values(value)[0] ?? '';
  return String(value);
}
