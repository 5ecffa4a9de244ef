// Duplication checks (the dci_client module): create and run a check, its state and result,
// run / retry; a batch from an uploaded CSV or JSONL file with a progress bar; the data sources
// (the registries asked); the trusted IBR senders with "fetch public key".
import { errorBox, field, h, table } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { senderRoutes, sendersCard } from './trusted_senders.js';

const r = {
  list: 'GET /v1/dci/checks',
  one: 'GET /v1/dci/checks/{id}',
  create: 'POST /v1/dci/checks',
  run: 'POST /v1/dci/checks/{id}/run',
  retry: 'POST /v1/dci/checks/{id}/retry',
  batch: 'POST /v1/dci/batches',
  batchStatus: 'GET /v1/dci/batches/{id}',
  sources: 'GET /v1/dci/sources',
  addSource: 'POST /v1/dci/sources',
  activate: 'POST /v1/dci/sources/{code}/activate',
  deactivate: 'POST /v1/dci/sources/{code}/deactivate',
};
export const routes = [...Object.values(r), ...senderRoutes('/v1/dci/senders')];

const pageSize = 20;
const pollMs = 500;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function select(name, options, value) {
  return h('select', { name }, options.map(([v, label]) =>
    h('option', { value: v, selected: v === value ? true : null }, label)));
}

function resultText(c) {
  return c.result ? t(`dci_result_${c.result}`) : '—';
}

// The data sources, read once per render and shared by the forms' selects.
async function loadSources(api, may) {
  if (!may(r.sources)) return [];
  try {
    return (await api.get('/v1/dci/sources')).sources;
  } catch {
    return [];
  }
}

function sourceSelect(sources) {
  const active = sources.filter((s) => s.active);
  return select('source', active.map((s) => [s.code, `${s.name} (${s.code})`]));
}

function checksCard(api, may, sources) {
  const state = select('state', [['', t('dci_any')], ...['ready', 'checking', 'completed', 'failed']
    .map((s) => [s, t(`dci_state_${s}`)])]);
  const source = select('source', [['', t('dci_any')], ...sources.map((s) => [s.code, s.code])]);
  const results = h('div', { 'aria-live': 'polite' });
  const detail = h('div', { 'aria-live': 'polite' });
  const cursors = [];
  let current = '';
  let timer = null;

  async function act(path) {
    try {
      await api.post(path);
    } catch (e) {
      results.prepend(errorBox(e.message));
      return;
    }
    await load(current);
  }

  // One check in full: the registrant as sent, correlation, the registry's answer as received.
  async function details(c) {
    try {
      const full = await api.get(`/v1/dci/checks/${encodeURIComponent(c.id)}`);
      const reg = full.registrant;
      const ids = (reg.identifiers || []).map((i) => (i.value ? `${i.type}: ${i.value}` : i.type)).join(', ');
      const name = [reg.given_name, reg.other_names, reg.family_name].filter(Boolean).join(' ');
      const rows = [
        [t('dci_check_id'), full.id], [t('dci_reference'), reg.reference], [t('dci_identifiers'), ids],
        [t('dci_name'), name], [t('dci_birth_date'), reg.birth_date], [t('dci_source'), full.source],
        [t('dci_state'), t(`dci_state_${full.state}`)], [t('dci_result'), resultText(full)],
        [t('dci_programmes'), (full.matched_programmes || []).join(', ')],
        [t('dci_error'), full.error_message], [t('dci_correlation_id'), full.correlation_id],
        [t('dci_checked_at'), full.checked_at ? formatTime(full.checked_at) : ''],
      ];
      detail.replaceChildren(h('h3', {}, t('dci_check_details', { reference: reg.reference || full.id })),
        h('dl', { class: 'details' }, rows.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        full.raw_response ? h('details', {}, h('summary', {}, t('dci_raw_response')),
          h('pre', { class: 'mono' }, JSON.stringify(full.raw_response, null, 2))) : null);
    } catch (e) {
      detail.replaceChildren(errorBox(e.message));
    }
  }

  function actions(c) {
    const path = (a) => `/v1/dci/checks/${encodeURIComponent(c.id)}/${a}`;
    return h('td', {},
      may(r.one) ? h('button', { type: 'button', class: 'secondary',
        'aria-label': t('dci_details_of', { reference: c.registrant.reference || c.id }),
        onclick: () => details(c) }, t('dci_details')) : null,
      c.state === 'ready' && may(r.run) ? h('button', { type: 'button', class: 'secondary',
        'aria-label': t('dci_run_of', { reference: c.registrant.reference || c.id }),
        onclick: () => act(path('run')) }, t('dci_run')) : null,
      (c.state === 'failed' || c.state === 'completed') && may(r.retry) ?
        h('button', { type: 'button', class: 'secondary',
          'aria-label': t('dci_retry_of', { reference: c.registrant.reference || c.id }),
          onclick: () => act(path('retry')) }, t('dci_retry')) : null);
  }

  async function load(after) {
    current = after || '';
    const q = new URLSearchParams({ limit: pageSize });
    if (state.value) q.set('state', state.value);
    if (source.value) q.set('source', source.value);
    if (after) q.set('after', after);
    let page;
    try {
      page = await api.get(`/v1/dci/checks?${q}`);
    } catch (e) {
      results.replaceChildren(errorBox(e.message));
      return;
    }
    const previous = h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 0,
      onclick: () => load(cursors.pop()) }, t('ibr_previous'));
    const next = h('button', { type: 'button', class: 'secondary', disabled: !page.next,
      onclick: () => { cursors.push(current); load(page.next); } }, t('ibr_next'));
    const rows = page.items.map((c) => h('tr', { 'data-check': c.id },
      h('td', {}, formatTime(c.created_at)), h('td', {}, c.registrant.reference),
      h('td', { class: 'mono' }, c.source),
      h('td', { class: `state-${c.state}` }, t(`dci_state_${c.state}`)),
      h('td', {}, resultText(c)), h('td', {}, (c.matched_programmes || []).join(', ')),
      h('td', {}, c.error_message || ''), actions(c)));
    results.replaceChildren(
      rows.length === 0 ? h('p', { class: 'muted' }, t('dci_no_checks')) :
        table([t('dci_created'), t('dci_reference'), t('dci_source'), t('dci_state'), t('dci_result'),
          t('dci_programmes'), t('dci_error'), t('dci_actions')], rows),
      h('div', { class: 'pager' }, previous, next));
    // A check being answered: look again shortly, while the page is shown.
    clearTimeout(timer);
    if (page.items.some((c) => c.state === 'checking'))
      timer = setTimeout(() => results.isConnected && load(current), pollMs);
  }

  const form = h('form', {
    class: 'inline',
    onsubmit: (ev) => { ev.preventDefault(); cursors.length = 0; load(''); },
  }, field(t('dci_state'), state), field(t('dci_source'), source),
  h('button', { type: 'submit' }, t('filter')));
  const card = h('section', { class: 'card' }, h('h2', {}, t('dci_checks')), form, results, detail);
  return { card, load: () => load('') };
}

function newCheckCard(api, sources, onCreated) {
  const source = sourceSelect(sources);
  const reference = h('input', { name: 'reference', autocomplete: 'off' });
  const idType = h('input', { name: 'identifier_type', autocomplete: 'off', value: 'NID' });
  const idValue = h('input', { name: 'identifier_value', autocomplete: 'off', spellcheck: 'false' });
  const given = h('input', { name: 'given_name', autocomplete: 'off' });
  const family = h('input', { name: 'family_name', autocomplete: 'off' });
  const birth = h('input', { name: 'birth_date', autocomplete: 'off', placeholder: 'YYYY-MM-DD' });
  const sex = select('sex', [['', '—'], ['F', t('dci_sex_f')], ['M', t('dci_sex_m')], ['O', t('dci_sex_o')]]);
  const mode = select('mode', [['sync', t('dci_mode_sync')], ['async', t('dci_mode_async')]]);
  const runNow = h('input', { name: 'run', type: 'checkbox', checked: true });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('dci_create'));
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const registrant = { reference: reference.value.trim() };
      if (idValue.value.trim())
        registrant.identifiers = [{ type: idType.value.trim(), value: idValue.value.trim() }];
      for (const [k, el] of [['given_name', given], ['family_name', family], ['birth_date', birth], ['sex', sex]])
        if (el.value.trim()) registrant[k] = el.value.trim();
      submit.disabled = true;
      try {
        const made = await api.post('/v1/dci/checks', { source: source.value, registrant,
          run: runNow.checked, mode: mode.value });
        const c = made.items[0];
        out.replaceChildren(h('p', { class: 'ok' }, t('dci_created_check', { id: c.id })));
        await onCreated();
      } catch (e) {
        out.replaceChildren(errorBox(e.message));
      } finally {
        submit.disabled = false;
      }
    },
  }, field(t('dci_source'), source), field(t('dci_reference'), reference),
  field(t('dci_identifier_type'), idType), field(t('dci_identifier_value'), idValue),
  field(t('dci_given_name'), given), field(t('dci_family_name'), family),
  field(t('dci_birth_date'), birth), field(t('dci_sex'), sex), field(t('dci_mode'), mode),
  field(t('dci_run_now'), runNow), submit);
  return h('section', { class: 'card' }, h('h2', {}, t('dci_new_check')), form, out);
}

function batchCard(api, may, sources) {
  const file = h('input', { name: 'file', type: 'file', accept: '.csv,.jsonl,text/csv', required: true });
  const source = sourceSelect(sources);
  const mode = select('mode', [['sync', t('dci_mode_sync')], ['async', t('dci_mode_async')]]);
  const bar = h('progress', { max: 1, value: 0 });
  const barLabel = h('span', {});
  const progress = h('div', { class: 'progress', hidden: true },
    field(t('dci_batch_progress'), bar), barLabel);
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('dci_batch_start'));

  function showResults(status) {
    const rows = status.items.map((i) => h('tr', {}, h('td', { class: 'num' }, i.line),
      h('td', {}, i.reference), h('td', {}, t(`dci_state_${i.state}`)),
      h('td', {}, i.result ? t(`dci_result_${i.result}`) : '—'),
      h('td', {}, (i.matched_programmes || []).join(', ')), h('td', {}, i.error || '')));
    const c = status.counts;
    out.append(
      h('p', {}, t('dci_batch_summary', { confirmed: c.confirmed_match, possible: c.possible_match,
        none: c.no_match, failed: c.failed })),
      table([t('dci_line'), t('dci_reference'), t('dci_state'), t('dci_result'), t('dci_programmes'),
        t('dci_error')], rows));
  }

  async function follow(id, first) {
    let status = first;
    for (;;) {
      bar.max = Math.max(1, status.total);
      bar.value = status.done;
      barLabel.textContent = t('dci_batch_done_of', { done: status.done, total: status.total,
        percent: Math.floor((100 * status.done) / Math.max(1, status.total)) });
      if (status.finished || !bar.isConnected || !may(r.batchStatus)) break;
      await sleep(pollMs);
      status = await api.get(`/v1/dci/batches/${encodeURIComponent(id)}?limit=1000`);
    }
    if (status.finished && may(r.batchStatus)) {
      if (!status.items) status = await api.get(`/v1/dci/batches/${encodeURIComponent(id)}?limit=1000`);
      showResults(status);
    }
  }

  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const chosen = file.files[0];
      if (!chosen) return;
      submit.disabled = true;
      out.replaceChildren();
      try {
        const text = await chosen.text();
        const format = /\.jsonl$/i.test(chosen.name) ? 'jsonl' : 'csv';
        const started = await api.post('/v1/dci/batches', { source: source.value, file: text, format,
          mode: mode.value });
        progress.hidden = false;
        out.append(h('p', {}, t('dci_batch_started', { lines: started.lines, total: started.total,
          invalid: started.invalid.length })));
        if (started.invalid.length)
          out.append(h('ul', {}, started.invalid.map((i) =>
            h('li', {}, t('dci_batch_invalid_line', { line: i.line, error: i.error })))));
        await follow(started.id, started);
      } catch (e) {
        out.append(errorBox(e.message));
      } finally {
        submit.disabled = false;
      }
    },
  }, field(t('dci_batch_file'), file), field(t('dci_source'), source), field(t('dci_mode'), mode),
  submit);
  return h('section', { class: 'card' }, h('h2', {}, t('dci_batch')),
    h('p', { class: 'muted' }, t('dci_batch_help')), form, progress, out);
}

function sourcesCard(api, may, notify, sources, reload) {
  const out = h('div', { 'aria-live': 'polite' });
  const card = h('section', { class: 'card' }, h('h2', {}, t('dci_sources')), out);
  async function setActive(s, active) {
    try {
      await api.post(`/v1/dci/sources/${encodeURIComponent(s.code)}/${active ? 'activate' : 'deactivate'}`);
      notify(t(active ? 'dci_source_activated' : 'dci_source_deactivated', { code: s.code }));
      await reload();
    } catch (e) {
      out.prepend(errorBox(e.message));
    }
  }
  const rows = sources.map((s) => h('tr', {}, h('td', { class: 'mono' }, s.code), h('td', {}, s.name),
    h('td', {}, s.registry_type), h('td', { class: 'mono' }, s.base_url), h('td', {}, s.auth_type),
    h('td', {}, s.active ? t('dci_yes') : t('dci_no')), h('td', {}, s.state),
    h('td', {},
      !s.active && may(r.activate) ? h('button', { type: 'button', class: 'secondary',
        'aria-label': t('dci_activate_of', { code: s.code }), onclick: () => setActive(s, true) },
      t('dci_activate')) : null,
      s.active && may(r.deactivate) ? h('button', { type: 'button', class: 'secondary',
        'aria-label': t('dci_deactivate_of', { code: s.code }), onclick: () => setActive(s, false) },
      t('dci_deactivate')) : null)));
  out.append(rows.length === 0 ? h('p', { class: 'muted' }, t('dci_no_sources')) :
    table([t('dci_code'), t('dci_sender_name'), t('dci_registry_type'), t('dci_base_url'),
      t('dci_auth_type'), t('dci_active'), t('dci_state'), t('dci_actions')], rows));

  if (may(r.addSource)) {
    const inputs = {
      code: h('input', { name: 'code', required: true, autocomplete: 'off' }),
      name: h('input', { name: 'name', required: true, autocomplete: 'off' }),
      registry_type: select('registry_type', [['ibr', 'IBR'], ['social', 'Social'], ['crvs', 'CRVS'],
        ['dr', 'DR'], ['fr', 'FR']]),
      base_url: h('input', { name: 'base_url', type: 'url', required: true, autocomplete: 'off' }),
      auth_type: select('auth_type', [['none', t('dci_auth_none')], ['bearer', t('dci_auth_bearer')]], 'none'),
      bearer_token: h('input', { name: 'bearer_token', type: 'password', autocomplete: 'off' }),
      our_sender_id: h('input', { name: 'our_sender_id', autocomplete: 'off' }),
      our_callback_uri: h('input', { name: 'our_callback_uri', type: 'url', autocomplete: 'off' }),
      receiver_id: h('input', { name: 'receiver_id', autocomplete: 'off' }),
    };
    const added = h('div', { 'aria-live': 'polite' });
    const form = h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = {};
        for (const [k, el] of Object.entries(inputs)) if (el.value.trim()) body[k] = el.value.trim();
        try {
          const s = await api.post('/v1/dci/sources', body);
          notify(t('dci_source_added', { code: s.code }));
          await reload();
        } catch (e) {
          added.replaceChildren(errorBox(e.message));
        }
      },
    }, Object.entries(inputs).map(([k, el]) => field(t(`dci_${k}`), el)),
    h('button', { type: 'submit' }, t('dci_source_add')));
    card.append(h('h3', {}, t('dci_source_add_title')), form, added);
  }
  return card;
}

export async function render(main, { api, may, notify }) {
  const sources = await loadSources(api, may);
  // Adding or switching a source changes the selects of every form: render the page again.
  const reload = async () => {
    main.replaceChildren();
    await render(main, { api, may, notify });
  };
  const checks = may(r.list) ? checksCard(api, may, sources) : null;
  if (may(r.create)) main.append(newCheckCard(api, sources, () => checks?.load()));
  if (checks) main.append(checks.card);
  if (may(r.batch)) main.append(batchCard(api, may, sources));
  if (may(r.sources)) main.append(sourcesCard(api, may, notify, sources, reload));
  let senders = null;
  if (may('GET /v1/dci/senders')) {
    senders = sendersCard(api, may, notify, '/v1/dci/senders');
    main.append(senders.card);
  }
  await Promise.all([checks?.load(), senders?.load()]);
}
