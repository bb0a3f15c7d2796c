// The page of `opencdc run --http`: plain DOM, no build step. It polls the JSON API (the same
// one a script would use) and redraws; text goes through textContent, never parsed as HTML.

const POLL_MS = 1000;

/** Creates an element: h('td', { class: 'num' }, '12'). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  return { status: res.status, body: await res.json() };
}

const fmt = new Intl.NumberFormat('en-US');

function lagText(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// --- pipelines (live) -------------------------------------------------------------------------

function pipelineCard(p) {
  const s = p.stats;
  const status = s ? (s.status === 'running' && !s.ready ? 'opening' : s.status) : 'not run';
  const card = h(
    'div',
    { class: 'card', 'data-testid': `pipeline-${p.id}` },
    h(
      'div',
      { class: 'head' },
      h('h3', {}, p.id),
      h('span', { class: `badge ${status}`, 'data-testid': 'status' }, status),
      p.config.description ? h('span', { class: 'muted' }, p.config.description) : null,
    ),
  );
  if (!s) {
    card.append(h('p', { class: 'muted' }, 'not running (status "stopped" in the file)'));
    return card;
  }
  const figure = (label, value, testid) =>
    h('div', {}, h('b', { 'data-testid': testid }, value), h('span', {}, label));
  card.append(
    h(
      'div',
      { class: 'figures' },
      figure('read', fmt.format(s.recordsRead), 'read'),
      figure('written', fmt.format(s.recordsWritten), 'written'),
      figure('dead letters', fmt.format(s.deadLetters), 'dead-letters'),
      figure('retries', fmt.format(s.retries), 'retries'),
      figure('lag', lagText(s.lagMs), 'lag'),
    ),
  );
  if (s.lastError && (s.status === 'retrying' || s.status === 'failed'))
    card.append(h('p', { class: 'error' }, s.lastError));
  if (s.collections.length > 0) {
    card.append(
      h(
        'table',
        { 'data-testid': 'collections' },
        h(
          'tr',
          {},
          h('th', {}, 'collection'),
          h('th', {}, 'read'),
          h('th', {}, 'written'),
          h('th', {}, 'lag'),
        ),
        s.collections.map((c) =>
          h(
            'tr',
            {},
            h('td', {}, c.collection),
            h('td', { class: 'num' }, fmt.format(c.read)),
            h('td', { class: 'num' }, fmt.format(c.written)),
            h('td', { class: 'num' }, lagText(c.lagMs)),
          ),
        ),
      ),
    );
  }
  card.append(h('p', { class: 'muted' }, `connectors: ${p.connectorIds.join(', ')}`));
  return card;
}

async function refreshPipelines() {
  const [pipelines, ready] = await Promise.all([getJson('v1/pipelines'), getJson('readyz')]);
  const box = document.getElementById('pipelines');
  box.replaceChildren(...pipelines.body.map(pipelineCard));
  if (pipelines.body.length === 0) box.append(h('p', { class: 'muted' }, 'no pipelines'));
  const badge = document.getElementById('ready');
  badge.textContent = ready.body.ready ? 'ready' : 'not ready';
  badge.className = `badge ${ready.body.ready ? 'ready' : 'not-ready'}`;
  badge.title = ready.body.pipelines
    .filter((p) => !p.ready)
    .map((p) => `${p.id}: ${p.reason}`)
    .join('\n');
  document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

// --- connectors and processors (once) ---------------------------------------------------------

/** The features matrix: one row per connector plugin, one column per feature. */
const FEATURES = [
  ['source', 'source', (c) => c.source],
  ['destination', 'destination', (c) => c.destination],
  [
    'multipleCollections',
    'source: multiple collections',
    (c) => c.features.source?.multipleCollections,
  ],
  ['cdc', 'source: CDC', (c) => c.features.source?.cdc],
  [
    'snapshot',
    'source: snapshot',
    (c) => c.features.source?.cdc?.snapshot || c.features.source?.longPolling?.snapshot,
  ],
  [
    'resume',
    'source: resume',
    (c) =>
      c.features.source?.resume ||
      c.features.source?.cdc?.resume ||
      c.features.source?.longPolling?.resume,
  ],
  ['longPolling', 'source: long polling', (c) => c.features.source?.longPolling],
  [
    'destinationMultipleCollections',
    'destination: multiple collections',
    (c) => c.features.destination?.multipleCollections,
  ],
  [
    'idempotentWrites',
    'destination: idempotent writes',
    (c) => c.features.destination?.idempotentWrites,
  ],
];

function featuresMatrix(plugins) {
  const table = document.getElementById('features');
  table.replaceChildren(
    h(
      'tr',
      {},
      h('th', {}, 'connector'),
      h('th', {}, 'version'),
      FEATURES.map(([, label]) => h('th', {}, label)),
    ),
    ...plugins.map((c) =>
      h(
        'tr',
        { 'data-plugin': c.plugin },
        h('td', {}, h('code', {}, c.plugin)),
        h('td', {}, c.version || (c.error ? 'not available' : '')),
        FEATURES.map(([key, , has]) => {
          const yes = Boolean(has(c));
          return h('td', { class: yes ? 'yes' : 'no', 'data-feature': key }, yes ? '✓' : '–');
        }),
      ),
    ),
  );
}

function paramsTable(title, params) {
  const names = Object.keys(params ?? {});
  if (names.length === 0) return h('p', { class: 'muted' }, `${title}: none`);
  return [
    h('h4', {}, title),
    h(
      'table',
      {},
      h(
        'tr',
        {},
        ['name', 'type', 'default', 'validations', 'description'].map((t) => h('th', {}, t)),
      ),
      names.map((n) => {
        const p = params[n];
        return h(
          'tr',
          {},
          h('td', {}, h('code', {}, n)),
          h('td', {}, p.type),
          h('td', {}, p.default === '' ? '' : h('code', {}, p.default)),
          h(
            'td',
            {},
            (p.validations ?? [])
              .map((v) => (v.value ? `${v.type} ${v.value}` : v.type))
              .join('; '),
          ),
          h('td', {}, p.description),
        );
      }),
    ),
  ];
}

function connectorDetails(c) {
  return h(
    'details',
    { 'data-connector': c.plugin },
    h('summary', {}, h('b', {}, c.name), ` ${c.version} — ${c.summary || c.error || ''}`),
    c.description ? h('p', {}, c.description) : null,
    c.source ? paramsTable('source parameters', c.sourceParams) : null,
    c.destination ? paramsTable('destination parameters', c.destinationParams) : null,
  );
}

function processorDetails(p) {
  return h(
    'details',
    { 'data-processor': p.name },
    h('summary', {}, h('b', {}, p.name), ` ${p.version} — ${p.summary}`),
    p.description ? h('p', {}, p.description) : null,
    paramsTable('parameters', p.parameters),
  );
}

async function loadCatalog() {
  const [info, plugins, processors] = await Promise.all([
    getJson('info'),
    getJson('v1/connectors/plugins'),
    getJson('v1/processors/plugins'),
  ]);
  document.getElementById('version').textContent = `v${info.body.version}`;
  featuresMatrix(plugins.body);
  document.getElementById('connectors').replaceChildren(...plugins.body.map(connectorDetails));
  const box = document.getElementById('processors');
  box.replaceChildren(...processors.body.map(processorDetails));
  if (processors.body.length === 0)
    box.append(h('p', { class: 'muted' }, 'no processor plugins installed'));
}

async function poll() {
  try {
    await refreshPipelines();
  } catch (err) {
    const badge = document.getElementById('ready');
    badge.textContent = 'unreachable';
    badge.className = 'badge not-ready';
    badge.title = String(err);
  }
  setTimeout(poll, POLL_MS);
}

loadCatalog().catch((err) => {
  document.getElementById('connectors').textContent = `could not load the connectors: ${err}`;
});
poll();
