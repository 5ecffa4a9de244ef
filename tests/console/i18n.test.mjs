// The console's label files (web/console/i18n/<lang>.json) against English: every language the
// selector offers has a file with exactly en.json's keys and, per key, the same {placeholders}
// (a missing key would fall back to English silently; a misspelt placeholder would show as
// "{name}" on the page). No browser: the files are read from the source tree.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const consoleDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web/console');
const read = (lang) => JSON.parse(readFileSync(path.join(consoleDir, 'i18n', `${lang}.json`), 'utf8'));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// The languages i18n.js offers, read from its source so that a new language is checked too.
const offered = JSON.parse(
  readFileSync(path.join(consoleDir, 'i18n.js'), 'utf8')
    .match(/export const languages = (\[[^\]]*\])/)[1]
    .replace(/'/g, '"'),
);
const en = read('en');

test('every language file is offered by the selector, and every offered language has a file', () => {
  const files = readdirSync(path.join(consoleDir, 'i18n')).map((f) => f.replace(/\.json$/, ''));
  assert.deepEqual(files.sort(), [...offered].sort());
});

for (const lang of offered.filter((l) => l !== 'en')) {
  test(`${lang}.json has exactly the keys of en.json, each with the same placeholders`, () => {
    const labels = read(lang);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in labels)), [], `keys ${lang}.json lacks`);
    assert.deepEqual(Object.keys(labels).filter((k) => !(k in en)), [], `keys only ${lang}.json has`);
    const differ = Object.keys(en).filter(
      (k) => placeholders(en[k]).join() !== placeholders(labels[k]).join(),
    );
    assert.deepEqual(differ, [], `keys whose placeholders differ from English in ${lang}.json`);
    const empty = Object.keys(labels).filter((k) => typeof labels[k] !== 'string' || !labels[k].trim());
    assert.deepEqual(empty, [], `empty labels in ${lang}.json`);
  });
}

test('every label a page asks for by name is in en.json', () => {
  const scripts = ['.', 'pages'].flatMap((dir) =>
    readdirSync(path.join(consoleDir, dir))
      .filter((f) => f.endsWith('.js'))
      .map((f) => path.join(consoleDir, dir, f)),
  );
  const missing = [];
  for (const file of scripts)
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-z0-9_]+)'/g))
      if (!(m[1] in en)) missing.push(`${path.basename(file)}: ${m[1]}`);
  assert.deepEqual(missing, []);
});
