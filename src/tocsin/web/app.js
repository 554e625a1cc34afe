'use strict';
/* tocsin dashboard — plain ES2020, no dependencies, no build step.
   One load/draw pair of functions per panel, started from init(): a new panel adds its own pair and one
   line there.
   Every piece of text reaches the DOM as a text node (via h()/s() below),
   never through innerHTML, so story text and API strings are always escaped. */

const PAGE_SIZE = 50;
const TOKEN_KEY = 'tocsin.token';
const QUADS = ['q1', 'q2', 'q3', 'q4'];
const QUAD_NAMES = { q1: 'verbal cooperation', q2: 'material cooperation', q3: 'verbal conflict', q4: 'material conflict' };
// Chart geometry in viewBox units; the SVG scales to its container.
const CHART = { W: 800, H: 240, M: { t: 14, r: 12, b: 30, l: 52 } };

const state = { offset: 0, limit: PAGE_SIZE, total: 0, dyad: null, lastLink: null, sort: '-date' };
const seq = {};

/* ---------- small helpers ---------- */
const $ = (id) => document.getElementById(id);

// Request tickets: a response is used only if no newer request of its kind started.
const ticket = (kind) => (seq[kind] = (seq[kind] || 0) + 1);
const isCurrent = (kind, t) => seq[kind] === t;

// Set attributes; functions under on* keys become event listeners.
function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function' && k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v != null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  return node;
}

// Append children: strings and numbers become text nodes (escaped by construction).
function addKids(node, kids) {
  for (const k of kids.flat()) if (k != null && k !== false) node.append(k instanceof Node ? k : String(k));
  return node;
}

// Build an HTML element.
const h = (tag, attrs = {}, ...kids) => addKids(setAttrs(document.createElement(tag), attrs), kids);

// The SVG namespace, taken from the HTML parser (keeps URL literals out of the code).
const SVG_NS = (() => { const d = document.createElement('div'); d.innerHTML = '<svg></svg>'; return d.firstChild.namespaceURI; })();

// Build an SVG element.
const s = (tag, attrs = {}, ...kids) => addKids(setAttrs(document.createElementNS(SVG_NS, tag), attrs), kids);

const fmt = (n, digits = 1) =>
  n == null || Number.isNaN(Number(n)) ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
const signClass = (v) => (v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero');

// "Vladimir Putin (RUS)" for an actor / recipient / asserted_by, "—" for none.
function who(p) {
  if (!p) return '—';
  const name = p.name || p.text || p.country || '?';
  return p.country && p.country !== name ? `${name} (${p.country})` : name;
}
const how = (ev) => `${ev.polarity || 'affirmed'}, ${ev.modality || 'actual'}`;
// An event's date as precise as the text says: a year-only date ("in 2014") shows as 2014, not 2014-01-01.
function evDate(ev) {
  const day = ev.date || ev.pub_date;
  if (!day) return '—';
  const yearOnly = ev.date_precision ? ev.date_precision === 'year'
    : ev.date && /^\D*\d{4}\D*$/.test(ev.date_text || '') && day.endsWith('-01-01');
  if (ev.date && yearOnly) return day.slice(0, 4);
  if (ev.date && ev.date_precision === 'month') return day.slice(0, 7);
  return day;
}
// Click and Enter/Space handlers for a non-button element acting as a button.
const activation = (fn) => ({
  onclick: fn, onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fn(); } },
});
const statusBadge = (ev) => h('span', { class: `badge status-${ev.status || 'unverified'}` }, ev.status || 'unverified');

// Show a message (or clear it) in a status paragraph.
function showMsg(id, text, isError = false) {
  $(id).textContent = text || '';
  $(id).classList.toggle('error', Boolean(isError && text));
}

/* ---------- API ---------- */
// Fetch JSON; throw an Error carrying the API's message, status and details.
async function api(path, opts = {}) {
  let res;
  try { res = await fetch(path, opts); } catch (e) { throw new Error(`network error (${e.message})`); }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok || !data || data.ok === false) {
    const err = new Error((data && data.error) || `HTTP ${res.status}`);
    err.status = (data && data.status) || res.status;
    err.details = (data && Array.isArray(data.errors)) ? data.errors : [];
    throw err;
  }
  return data;
}

/* ---------- top bar ---------- */
async function loadHealth() {
  try {
    const d = await api('/api/health');
    $('stats').textContent = `v${d.version} · ${fmt(d.stories, 0)} stories · ${fmt(d.events, 0)} events · ${fmt(d.clusters, 0)} clusters`;
  } catch (e) {
    $('stats').textContent = `API unavailable: ${e.message}`;
  }
}

/* ---------- filters ---------- */
// A short actor entry is a code (rus → RUS); a longer one is a name the server resolves (Russia → RUS).
const looksLikeCode = (v) => /^[A-Za-z0-9]{1,4}$/.test(v);

// Current filters as query parameters ("any" and blanks are left out), with the table's sort.
function filterParams() {
  const p = new URLSearchParams();
  for (const key of ['since', 'until', 'actor', 'recipient', 'type', 'status']) {
    const v = $(`f-${key}`).value.trim();
    if (v && v !== 'any') p.set(key, v);
  }
  p.set('sort', state.sort);
  return p;
}

function onFiltersSubmit(e) {
  e.preventDefault();
  for (const id of ['f-actor', 'f-recipient']) {
    const v = $(id).value.trim();
    $(id).value = looksLikeCode(v) ? v.toUpperCase() : v;
  }
  const [since, until] = [$('f-since').value, $('f-until').value];
  const bad = since && until && since > until;
  showMsg('filters-msg', bad ? '"Since" must not be later than "until".' : '', true);
  if (bad) return;
  state.offset = 0;
  loadEvents().then((codes) => {
    if (codes && codes.actor && codes.recipient) setDyad(codes.actor, codes.recipient);
  });
}

// Say which codes the names in the actor fields stand for ("Russia" is RUS).
function showResolved(codes) {
  const said = [['f-actor', codes.actor], ['f-recipient', codes.recipient]]
    .filter(([id, code]) => code && $(id).value.trim().toUpperCase() !== code)
    .map(([id, code]) => `“${$(id).value.trim()}” is ${code}`);
  showMsg('filters-msg', said.length ? `${said.join('; ')}.` : '');
}

/* ---------- event table ---------- */
// Load one page of events; resolves to the actor and recipient codes the server used (or null).
async function loadEvents() {
  const t = ticket('events');
  const p = filterParams();
  $('csv-link').href = `/api/events.csv?${p}`;  // the download holds every event of the filter, not one page
  p.set('limit', String(state.limit));  // server-side paging: one page at a time
  p.set('offset', String(state.offset));
  let rows = [];
  let codes = null;
  try {
    const d = await api(`/api/events?${p}`);
    if (!isCurrent('events', t)) return null;
    Object.assign(state, { total: d.total || 0, offset: d.offset ?? state.offset, limit: d.limit || state.limit });
    rows = d.items.length ? d.items.map(eventRow) : [emptyRow(COLUMNS.length, 'No events match these filters.')];
    codes = d.filters || {};
    showResolved(codes);
    showMsg('events-msg', '');
  } catch (e) {
    if (!isCurrent('events', t)) return null;
    state.total = 0;
    showMsg('events-msg', `Could not load events: ${e.message}`, true);
  }
  $('events-body').replaceChildren(...rows);
  updatePager();
  return codes;
}

// Sort by a column heading: newest (or largest) first on the first click, then the other way.
function sortBy(key) {
  const descending = state.sort === key ? true : state.sort === `-${key}` ? false : key === 'date' || key === 'sources';
  state.sort = descending ? `-${key}` : key;
  for (const th of document.querySelectorAll('#events-table th[data-sort]')) {
    if (th.dataset.sort === key) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  state.offset = 0;
  loadEvents();
}

const emptyRow = (cols, text) => h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text));

// The event table's columns (labels also head each cell in the narrow, card-like layout).
const COLUMNS = ['Date', 'Type', 'Actor', 'Recipient', 'How', 'Asserted by', 'Status', 'Evidence', 'Source'];

// Cells shared by the event table and the "code a text" results.
const eventCells = (ev) =>
  [evDate(ev), ev.event_type || '—', who(ev.actor), who(ev.recipient), how(ev), who(ev.asserted_by)]
    .map((x, i) => h('td', { 'data-label': COLUMNS[i] }, x));

// The publisher, linked to the story's address when it has one.
function sourceCell(ev) {
  const name = ev.publisher || (ev.url ? new URL(ev.url, location.href).hostname : null) || ev.story_id;
  const safe = ev.url && /^https?:/i.test(ev.url);
  return h('td', { class: 'source', 'data-label': 'Source' },
    safe ? h('a', { href: ev.url, rel: 'noopener noreferrer', target: '_blank' }, name) : name);
}

function eventRow(ev) {
  const link = h('a', {
    class: 'story-link', href: '#story', 'data-story-id': ev.story_id, 'data-event-id': ev.id,
    onclick: (e) => { e.preventDefault(); state.lastLink = e.currentTarget; openStory(ev.story_id, ev.id); },
  }, ev.trigger || 'story', h('span', { class: 'sr-only' }, ' (open story)'));
  const evidence = h('td', { class: 'evidence', 'data-label': 'Evidence' }, link,
    h('span', { class: 'sentence', 'data-testid': 'evidence' }, ev.sentence || ''));
  return h('tr', { 'data-testid': 'event-row', 'data-event-id': ev.id },
    eventCells(ev), h('td', { 'data-label': 'Status' }, statusBadge(ev)), evidence, sourceCell(ev));
}

function updatePager() {
  const { offset, limit, total } = state;
  const end = Math.min(offset + limit, total);
  $('page-info').textContent = total ? `${fmt(offset + 1, 0)}–${fmt(end, 0)} of ${fmt(total, 0)}` : '0 of 0';
  $('prev').disabled = offset <= 0;
  $('next').disabled = end >= total;
}

function changePage(step) {
  state.offset = Math.max(0, state.offset + step * state.limit);
  loadEvents();
}

/* ---------- dyads ---------- */
async function loadDyads() {
  const sel = $('dyad-select');
  try {
    const d = await api('/api/dyads?limit=20');  // most events first, as the server sorts them
    sel.replaceChildren(...d.items.map((x) =>
      h('option', { value: `${x.actor}|${x.recipient}` }, `${x.actor} → ${x.recipient} (${fmt(x.events, 0)} event${x.events === 1 ? '' : 's'})`)));
    const codes = [...new Set(d.items.flatMap((x) => [x.actor, x.recipient]))].filter(Boolean).sort();
    $('actor-codes').replaceChildren(...codes.map((c) => h('option', { value: c })));
    const first = d.items.find((x) => x.dated > 0) || d.items[0];  // one with dates draws a timeline
    if (state.dyad) syncDyadSelect();
    else if (first) setDyad(first.actor, first.recipient);
    else showMsg('timeline-msg', 'No dyads in the store yet.');
  } catch (e) {
    sel.replaceChildren(h('option', { value: '' }, 'unavailable'));
    showMsg('timeline-msg', `Could not load dyads: ${e.message}`, true);
  }
}

// Make the select show the current dyad, adding an option if it is not listed.
function syncDyadSelect() {
  const [sel, { actor, recipient }] = [$('dyad-select'), state.dyad];
  const value = `${actor}|${recipient}`;
  if (![...sel.options].some((o) => o.value === value)) sel.append(h('option', { value }, `${actor} → ${recipient}`));
  sel.value = value;
}

// Choose the dyad shown in the timeline, quad and say–do charts.
function setDyad(actor, recipient) {
  state.dyad = { actor, recipient };
  syncDyadSelect();
  loadSeries(actor, recipient);
  loadSayDo(actor);
}

/* ---------- chart primitives ---------- */
const svgRoot = (label, w = CHART.W, hgt = CHART.H) => s('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': label });

// Evenly spaced bands for n periods across the plot area.
function bands(n) {
  const { W, M } = CHART;
  const step = (W - M.l - M.r) / Math.max(1, n);
  const width = Math.max(1, Math.min(step * 0.8, 40));  // thin bars, not slabs, for short series
  return { step, width, x: (i) => M.l + i * step + (step - width) / 2 };
}

// Horizontal grid lines with labels at the given values.
function yAxis(svg, values, y, label = (v) => fmt(v)) {
  const { W, M } = CHART;
  for (const v of values) {
    svg.append(s('line', { class: v === 0 ? 'zero-line' : 'grid', x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }));
    svg.append(s('text', { class: 'axis', x: M.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, label(v)));
  }
}

// About six period labels along the bottom.
function xAxis(svg, periods, b) {
  const every = Math.max(1, Math.ceil(periods.length / 6));
  periods.forEach((p, i) => {
    if (i % every) return;
    svg.append(s('text', { class: 'axis', x: b.x(i) + b.width / 2, y: CHART.H - 8, 'text-anchor': 'middle' }, p));
  });
}

// Linear y scale mapping [lo, hi] onto the plot area.
const yScale = (lo, hi, { H, M } = CHART) => (v) => M.t + (H - M.t - M.b) * (1 - (v - lo) / ((hi - lo) || 1));

const emptyChart = (id, text) => $(id).replaceChildren(h('p', { class: 'empty' }, text));

/* ---------- timeline and quads ---------- */
async function loadSeries(actor, recipient) {
  const t = ticket('series');
  const label = `${actor} → ${recipient}`;
  $('timeline-caption').textContent = `${label}: intensity per week (blue: cooperation, red: conflict; dashed red lines: alerts).`;
  $('quads-caption').textContent = `${label}: events per week by quad class.`;
  try {
    const d = await api(`/api/series?${new URLSearchParams({ actor, recipient, freq: 'W' })}`);
    if (!isCurrent('series', t)) return;
    showMsg('timeline-msg', ''); showMsg('quads-msg', '');
    drawTimeline(d.items || [], d.alerts || [], label);
    drawQuads(d.items || [], label);
  } catch (e) {
    if (!isCurrent('series', t)) return;
    for (const id of ['timeline', 'quads']) {
      emptyChart(`${id}-chart`, '');
      showMsg(`${id}-msg`, `Could not load the series: ${e.message}`, true);
    }
  }
}

// Describe an alert for its title (conflict may be a flag or a score).
function alertText(a) {
  const kind = typeof a.conflict === 'boolean' ? (a.conflict ? 'conflict surge' : 'cooperation surge')
    : a.conflict != null ? `conflict ${fmt(a.conflict, 2)}` : 'alert';
  return `Alert ${a.period}: ${kind}, expected ${fmt(a.expected, 2)}, p = ${fmt(a.probability, 3)}, ${(a.events || []).length} event(s)`;
}

function drawTimeline(items, alerts, label) {
  if (!items.length) return emptyChart('timeline-chart', `No events for ${label}.`);
  const svg = svgRoot(`Weekly intensity for ${label}, with ${alerts.length} alerts`);
  const max = Math.max(1, ...items.map((it) => Math.abs(it.intensity || 0)));
  const y = yScale(-max, max);
  const b = bands(items.length);
  yAxis(svg, [-max, 0, max], y);
  items.forEach((it, i) => {
    const v = it.intensity || 0;
    svg.append(s('rect', {
      class: `bar ${signClass(v)}`, 'data-testid': 'timeline-bar', x: b.x(i), y: Math.min(y(0), y(v)),
      width: b.width, height: Math.max(1, Math.abs(y(v) - y(0))),
    }, s('title', {}, `${it.period}: intensity ${fmt(v)}, ${fmt(it.events, 0)} events`)));
  });
  const index = new Map(items.map((it, i) => [it.period, i]));
  for (const a of alerts) {
    if (!index.has(a.period)) continue;
    const cx = b.x(index.get(a.period)) + b.width / 2;
    svg.append(s('line', {
      class: 'alert', 'data-testid': 'timeline-alert', 'data-period': a.period, title: alertText(a),
      x1: cx, x2: cx, y1: CHART.M.t, y2: CHART.H - CHART.M.b,
    }, s('title', {}, alertText(a))));
  }
  xAxis(svg, items.map((it) => it.period), b);
  $('timeline-chart').replaceChildren(svg);
  if (alerts.length) $('timeline-caption').append(` ${alerts.length} alert${alerts.length > 1 ? 's' : ''}: ${alerts.map((a) => a.period).join(', ')}.`);
}

function drawQuads(items, label) {
  if (!items.length) return emptyChart('quads-chart', `No events for ${label}.`);
  const svg = svgRoot(`Weekly events by quad class for ${label}`);
  const total = (it) => QUADS.reduce((sum, q) => sum + (it[q] || 0), 0);
  const max = Math.max(1, ...items.map(total));
  const y = yScale(0, max);
  const b = bands(items.length);
  yAxis(svg, [...new Set([0, Math.round(max / 2), max])], y, (v) => fmt(v, 0));
  items.forEach((it, i) => {
    let base = 0;
    for (const q of QUADS) {
      const v = it[q] || 0;
      if (!v) continue;
      svg.append(s('rect', {
        class: `quad ${q}`, 'data-testid': 'quad-bar', x: b.x(i), y: y(base + v), width: b.width, height: y(base) - y(base + v),
      }, s('title', {}, `${it.period}: ${fmt(v, 0)} ${QUAD_NAMES[q]}`)));
      base += v;
    }
  });
  xAxis(svg, items.map((it) => it.period), b);
  $('quads-chart').replaceChildren(svg);
}

/* ---------- say–do gap ---------- */
async function loadSayDo(actor) {
  const t = ticket('saydo');
  $('saydo-caption').textContent = `${actor}: say–do gap per period (−1 to +1).`;
  try {
    const d = await api(`/api/say-do?${new URLSearchParams({ actor })}`);
    if (!isCurrent('saydo', t)) return;
    showMsg('saydo-msg', '');
    drawSayDo(d.items || [], actor);
  } catch (e) {
    if (!isCurrent('saydo', t)) return;
    emptyChart('saydo-chart', '');
    showMsg('saydo-msg', `Could not load the say–do gap: ${e.message}`, true);
  }
}

function drawSayDo(items, actor) {
  if (!items.some((it) => it.gap != null)) return emptyChart('saydo-chart', `Not enough statements and actions by ${actor} yet.`);
  const svg = svgRoot(`Say–do gap for ${actor}; above zero it talks more cooperatively than it acts`);
  const y = yScale(-1, 1);
  const b = bands(items.length);
  yAxis(svg, [-1, -0.5, 0, 0.5, 1], y, (v) => (v > 0 ? `+${v}` : v < 0 ? `−${-v}` : '0'));
  // Line broken wherever the gap is unknown.
  let [d, pen] = ['', 'M'];
  items.forEach((it, i) => {
    if (it.gap == null) { pen = 'M'; return; }
    d += `${pen}${(b.x(i) + b.width / 2).toFixed(1)},${y(it.gap).toFixed(1)} `;
    pen = 'L';
  });
  svg.append(s('path', { class: 'saydo-line', d: d.trim() }));
  items.forEach((it, i) => {
    if (it.gap == null) return;
    svg.append(s('circle', {
      class: `point ${signClass(it.gap)}`, 'data-testid': 'saydo-point', cx: b.x(i) + b.width / 2, cy: y(it.gap), r: 4,
    }, s('title', {}, `${it.date}: say ${fmt(it.say, 2)}, do ${fmt(it.do, 2)}, gap ${fmt(it.gap, 2)}`)));
  });
  xAxis(svg, items.map((it) => it.date), b);
  $('saydo-chart').replaceChildren(svg);
}

/* ---------- actor network ---------- */
async function loadNetwork() {
  try {
    const { nodes = [], edges = [] } = await api('/api/network?limit=60');
    drawNetwork(nodes, edges);
  } catch (e) {
    showMsg('network-msg', `Could not load the network: ${e.message}`, true);
  }
}

// Arrow heads, one per edge colour.
function arrowDefs() {
  const defs = s('defs');
  for (const sign of ['pos', 'neg', 'zero']) {
    defs.append(s('marker', {
      id: `arrow-${sign}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8,
      markerUnits: 'userSpaceOnUse', orient: 'auto',
    }, s('path', { class: `arrow ${sign}`, d: 'M0,0 L10,5 L0,10 z' })));
  }
  return defs;
}

const LABEL = { size: 13, charWidth: 9.6, height: 16, pad: 4 };  // generous: estimates must not undershoot

// Place nodes on a circle (radius grows with the square root of events) with each label just outside it.
function layoutNodes(nodes, R) {
  const maxN = Math.max(1, ...nodes.map((n) => n.events || 0));
  return new Map(nodes.map((n, i) => {
    const a = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    const [cos, sin] = [Math.cos(a), Math.sin(a)];
    const p = { x: R * cos, y: R * sin, a, r: 4 + 14 * Math.sqrt((n.events || 0) / maxN) };
    const off = p.r + 6;
    const anchor = cos > 0.3 ? 'start' : cos < -0.3 ? 'end' : 'middle';
    const w = LABEL.charWidth * String(n.id).length;
    const lx = p.x + off * cos;
    const ly = p.y + off * sin + (sin > 0.3 ? LABEL.size * 0.8 : sin < -0.3 ? -2 : 4);
    const left = anchor === 'start' ? lx : anchor === 'end' ? lx - w : lx - w / 2;
    p.label = { x: lx, y: ly, anchor, box: { x0: left, x1: left + w, y0: ly - LABEL.size, y1: ly + 3 } };
    return [n.id, p];
  }));
}

const overlaps = (a, b, pad = LABEL.pad) => a.x0 < b.x1 + pad && b.x0 < a.x1 + pad && a.y0 < b.y1 + pad && b.y0 < a.y1 + pad;
const circleBox = (p) => ({ x0: p.x - p.r, x1: p.x + p.r, y0: p.y - p.r, y1: p.y + p.r });

// The smallest circle (from 200 units, growing by 12%) on which no label overlaps another label or a node.
function readableLayout(nodes) {
  let R = Math.max(200, (nodes.length * (LABEL.height + LABEL.pad)) / (2 * Math.PI));
  for (let tries = 0; ; tries += 1) {
    const pos = layoutNodes(nodes, R);
    const all = [...pos.values()];
    const clash = all.some((p, i) => all.some((q, j) => j !== i
      && ((j > i && overlaps(p.label.box, q.label.box)) || overlaps(p.label.box, circleBox(q), 1))));
    if (!clash || tries >= 25) return { pos, R };
    R *= 1.12;
  }
}

// A curved edge (bent to one side, so A→B and B→A stay apart) ending at the target's rim.
function edgePath(p, q) {
  const [dx, dy] = [q.x - p.x, q.y - p.y];
  const c = { x: (p.x + q.x) / 2 - dy * 0.12, y: (p.y + q.y) / 2 + dx * 0.12 };
  const [ex, ey] = [q.x - c.x, q.y - c.y];
  const len = Math.hypot(ex, ey) || 1;
  const end = { x: q.x - (ex / len) * (q.r + 2), y: q.y - (ey / len) * (q.r + 2) };
  return `M${p.x.toFixed(1)},${p.y.toFixed(1)} Q${c.x.toFixed(1)},${c.y.toFixed(1)} ${end.x.toFixed(1)},${end.y.toFixed(1)}`;
}

// Filter the event table by one actor (from a network node).
function filterByActor(id) {
  [$('f-actor').value, $('f-recipient').value] = [id, ''];
  $('filters').requestSubmit();
  $('events').scrollIntoView({ block: 'start' });
}

// Filter the event table by a dyad (from the dyad list); the charts follow.
function filterByDyad(actor, recipient) {
  [$('f-actor').value, $('f-recipient').value] = [actor, recipient];
  $('filters').requestSubmit();
}

function drawNetwork(nodes, edges) {
  if (!nodes.length) return emptyChart('network-chart', 'No actors in the store yet.');
  const { pos } = readableLayout(nodes);
  const boxes = [...pos.values()].map((p) => p.label.box);
  const [x0, x1] = [Math.min(...boxes.map((b) => b.x0)) - 12, Math.max(...boxes.map((b) => b.x1)) + 12];
  const [y0, y1] = [Math.min(...boxes.map((b) => b.y0)) - 12, Math.max(...boxes.map((b) => b.y1)) + 12];
  const maxE = Math.max(1, ...edges.map((e) => e.events || 0));
  const svg = svgRoot(`Actor network: ${nodes.length} actors, ${edges.length} directed links`, x1 - x0, y1 - y0);
  svg.setAttribute('viewBox', `${x0.toFixed(0)} ${y0.toFixed(0)} ${(x1 - x0).toFixed(0)} ${(y1 - y0).toFixed(0)}`);
  svg.append(arrowDefs());
  for (const e of edges) {
    const [p, q] = [pos.get(e.source), pos.get(e.target)];
    if (!p || !q || p === q) continue;
    const sign = signClass(e.intensity || 0);
    svg.append(s('path', {
      class: `edge ${sign}`, 'data-testid': 'network-edge', d: edgePath(p, q),
      'stroke-width': (0.6 + 5.4 * (e.events || 0) / maxE).toFixed(2), 'marker-end': `url(#arrow-${sign})`,
    }, s('title', {}, `${e.source} → ${e.target}: ${fmt(e.events, 0)} events, mean intensity ${fmt(e.intensity)}`)));
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    svg.append(s('g', {
      class: 'node', 'data-testid': 'network-node', 'data-node-id': n.id, tabindex: 0, role: 'button',
      'aria-label': `${n.id}: ${fmt(n.events, 0)} events. Filter events by this actor`,
      ...activation(() => filterByActor(n.id)),
    }, s('title', {}, `${n.id}: ${fmt(n.events, 0)} events`),
    s('circle', { cx: p.x, cy: p.y, r: p.r }),
    s('text', { x: p.label.x, y: p.label.y, 'text-anchor': p.label.anchor, 'data-testid': 'network-label' }, n.id)));
  }
  $('network-chart').replaceChildren(svg);
}

/* ---------- story view ---------- */
async function openStory(storyId, focusId) {
  const t = ticket('story');
  const sec = $('story');
  sec.hidden = false;  // show at once, with a loading message
  showMsg('story-msg', 'Loading story…');
  try {
    const d = await api(`/api/stories/${encodeURIComponent(storyId)}`);
    if (!isCurrent('story', t)) return;
    showMsg('story-msg', '');
    renderStory(d);
    sec.scrollIntoView({ block: 'start' });
    $('story-title').focus({ preventScroll: true });
    if (focusId != null) focusEvidence(focusId, false);
  } catch (e) {
    if (!isCurrent('story', t)) return;
    showMsg('story-msg', `Could not load story ${storyId}: ${e.message}`, true);
  }
}

function closeStory() {
  $('story').hidden = true;
  if (state.lastLink && document.contains(state.lastLink)) state.lastLink.focus();
}

function renderStory({ story, events = [], quotes = [] }) {
  $('story-title').textContent = story.title || '(untitled story)';
  $('story-meta').textContent = [story.publisher, story.pub_date, story.url && `source: ${story.url}`].filter(Boolean).join(' · ');
  $('story-text').replaceChildren(storyTextNodes(story.text || '', events));
  $('story-events').replaceChildren(...(events.length ? events.map(storyEventItem) : [h('li', {}, 'No events coded.')]));
  $('story-quotes').replaceChildren(...(quotes.length ? quotes.map(quoteItem) : [h('li', {}, 'No quotes found.')]));
}

// Where the event's sentence sits in the text: its span if it checks out, else a search.
function evidenceRange(text, ev) {
  const [a, b] = Array.isArray(ev.span) ? ev.span : [];
  const spanOk = Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a < b && b <= text.length;
  if (spanOk && (!ev.sentence || text.slice(a, b) === ev.sentence)) return [a, b];
  const i = ev.sentence ? text.indexOf(ev.sentence) : -1;
  if (i >= 0) return [i, i + ev.sentence.length];
  return spanOk ? [a, b] : null;
}

// Events sorted by position; overlapping sentences are merged into one group.
function evidenceGroups(text, events) {
  const ranged = events.map((ev) => ({ ev, r: evidenceRange(text, ev) })).filter((x) => x.r).sort((x, y) => x.r[0] - y.r[0]);
  const groups = [];
  for (const item of ranged) {
    const last = groups[groups.length - 1];
    if (last && item.r[0] < last.end) {
      last.end = Math.max(last.end, item.r[1]);
      last.items.push(item);
    } else groups.push({ start: item.r[0], end: item.r[1], items: [item] });
  }
  return groups;
}

// Find a word inside [from, to): exact case first, then case-insensitive.
function findWord(text, word, from, to) {
  if (!word) return null;
  let i = text.indexOf(word, from);
  if (i < 0 || i + word.length > to) i = from + text.slice(from, to).toLowerCase().indexOf(word.toLowerCase());
  return i >= from ? [i, i + word.length] : null;
}

// One group: actor/recipient words wrapped in spans, then one <mark> per event
// (nested when events share a sentence, so each has its own data-event-id).
function groupMark(text, g) {
  const words = [];
  for (const { ev, r } of g.items) {
    for (const role of ['actor', 'recipient']) {
      const at = findWord(text, ev[role] && ev[role].text, r[0], r[1]);
      if (at) words.push({ start: at[0], end: at[1], role });
    }
  }
  words.sort((x, y) => x.start - y.start || y.end - x.end);
  const inner = document.createDocumentFragment();
  let pos = g.start;
  for (const w of words) {
    if (w.start < pos) continue; // overlaps a word already wrapped
    inner.append(text.slice(pos, w.start), h('span', { class: w.role }, text.slice(w.start, w.end)));
    pos = w.end;
  }
  inner.append(text.slice(pos, g.end));
  return g.items.reduceRight((node, { ev }) => h('mark', {
    class: 'evidence', 'data-event-id': ev.id, title: `${ev.event_type}: ${who(ev.actor)} → ${who(ev.recipient)} (${how(ev)})`,
  }, node), inner);
}

// The whole story text with evidence marks.
function storyTextNodes(text, events) {
  const frag = document.createDocumentFragment();
  let pos = 0;
  for (const g of evidenceGroups(text, events)) {
    frag.append(text.slice(pos, g.start), groupMark(text, g));
    pos = g.end;
  }
  frag.append(text.slice(pos));
  return frag;
}

function storyEventItem(ev) {
  const cluster = `${ev.status || 'unverified'}: ${fmt(ev.num_sources, 0)} sources, ${fmt(ev.num_stories, 0)} stories`;
  return h('li', {
    'data-testid': 'story-event', 'data-event-id': ev.id, tabindex: 0, class: 'story-event',
    ...activation(() => focusEvidence(ev.id, true)),
  }, h('strong', {}, ev.event_type || '?'), ' ', `${who(ev.actor)} → ${who(ev.recipient)}`,
  h('div', { class: 'small' }, `${how(ev)}${ev.quote ? ', quoted' : ''} · asserted by ${who(ev.asserted_by)} · ${evDate(ev)}`),
  h('div', { class: 'small' }, statusBadge(ev), ` cluster ${ev.cluster_id ?? '—'} (${cluster})`));
}

// Scroll to (optionally) and outline the mark of one event.
function focusEvidence(id, scroll) {
  const key = CSS.escape(String(id));
  for (const m of $('story-text').querySelectorAll('mark.focused')) m.classList.remove('focused');
  for (const li of $('story-events').querySelectorAll('[aria-current]')) li.removeAttribute('aria-current');
  const li = $('story-events').querySelector(`li[data-event-id="${key}"]`);
  if (li) li.setAttribute('aria-current', 'true');
  const mark = $('story-text').querySelector(`mark[data-event-id="${key}"]`);
  if (!mark) { showMsg('story-msg', 'The evidence sentence of this event was not found in the text.'); return; }
  showMsg('story-msg', '');
  mark.classList.add('focused');
  if (scroll) mark.scrollIntoView({ block: 'center' });
}

const quoteItem = (q) => h('li', {}, h('strong', {}, q.speaker_name || 'Unnamed speaker'),
  q.speaker_country ? ` (${q.speaker_country})` : '', ` ${q.cue || 'said'}${q.direct ? '' : ' (indirect)'}: `, h('q', {}, q.text || ''));

/* ---------- code a text ---------- */
// The API token lives in sessionStorage (forgotten when the tab closes).
const readToken = () => { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; } };
const saveToken = (token) => { try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* unavailable */ } };

function codeTable(events) {
  const head = ['Date', 'Type', 'Actor', 'Recipient', 'How', 'Asserted by', 'Trigger', 'Confidence'];
  return h('table', { class: 'code-table' },
    h('caption', {}, `${events.length} event${events.length === 1 ? '' : 's'} found`),
    h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, events.map((ev) => h('tr', { 'data-testid': 'code-event', title: ev.sentence || null },
      eventCells(ev), h('td', {}, ev.trigger || '—'), h('td', {}, fmt(ev.confidence, 2))))));
}

async function onCodeSubmit(e) {
  e.preventDefault();
  const out = $('code-result');
  const text = $('code-text').value.trim();
  if (!text) { out.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'Enter a text to code.')); return; }
  const token = $('code-token').value.trim();
  saveToken(token);
  const headers = { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) };
  $('code-run').disabled = true;
  out.replaceChildren(h('p', {}, 'Coding…'));
  try {
    const body = JSON.stringify({ text, pub_date: $('code-date').value || null });
    const { events = [] } = await api('/api/code', { method: 'POST', headers, body });
    out.replaceChildren(events.length ? codeTable(events) : h('p', {}, 'No events found in this text.'));
  } catch (err) {
    const prefix = err.status === 401 ? 'Not authorised (401): ' : 'Error: ';
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, prefix + err.message));
    const more = err.details.filter((x) => x !== err.message);
    if (more.length) out.append(h('ul', {}, more.map((x) => h('li', {}, x))));
  } finally {
    $('code-run').disabled = false;
  }
}

/* ---------- start ---------- */
function init() {
  $('filters').addEventListener('submit', onFiltersSubmit);
  $('prev').addEventListener('click', () => changePage(-1));
  $('next').addEventListener('click', () => changePage(1));
  $('dyad-select').addEventListener('change', (e) => {
    const [actor, recipient] = e.target.value.split('|');
    if (actor && recipient) filterByDyad(actor, recipient);
  });
  for (const th of document.querySelectorAll('#events-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.sort));
  }
  $('story-close').addEventListener('click', closeStory);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('story').hidden) closeStory(); });
  $('code-form').addEventListener('submit', onCodeSubmit);
  $('code-token').value = readToken();
  $('code-token').addEventListener('change', (e) => saveToken(e.target.value.trim()));
  updatePager();
  loadHealth();
  loadDyads();
  loadNetwork();
  loadEvents();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
