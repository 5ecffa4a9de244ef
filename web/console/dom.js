// Small helpers to build the page from data without innerHTML: every value the API returns is
// set as text, never parsed as markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let nextId = 0;
// A labelled input: the label names the control for screen readers and for the tests.
export function field(label, input) {
  input.id ||= `f${++nextId}`;
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

export function table(headers, rows) {
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

export function errorBox(message) {
  return h('p', { class: 'error', role: 'alert' }, message);
}
