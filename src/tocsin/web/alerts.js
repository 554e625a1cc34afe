'use strict';
/* tocsin dashboard — the Alerts panel: alerts raised by `tocsin watch`, live.
   Loads the latest alerts from /api/alerts, then listens to /api/alerts/stream
   (server-sent events, same origin) and puts each new alert on top without a reload.
   Text reaches the DOM as text nodes only. Links open the story view of app.js when
   it is there (openStory), else the story's JSON. */
(() => {
  const MAX_SHOWN = 100;
  const el = (id) => document.getElementById(id);
  const shown = new Set();
  let lastId = 0;

  function node(tag, attrs = {}, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v === 'function' && k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else if (v != null && v !== false) n.setAttribute(k, String(v));
    }
    for (const k of kids.flat()) if (k != null && k !== false) n.append(k instanceof Node ? k : String(k));
    return n;
  }

  const who = (p) => (p ? (p.country && p.name && p.country !== p.name ? `${p.name} (${p.country})` : p.name || p.country || '?') : '?');

  function storyLink(storyId, eventId, label) {
    return node('a', {
      href: `/api/stories/${encodeURIComponent(storyId)}`, class: 'alert-story', 'data-story-id': storyId,
      onclick: (e) => {
        if (typeof window.openStory !== 'function' && typeof openStory !== 'function') return;  // plain link then
        e.preventDefault();
        (window.openStory || openStory)(storyId, eventId);
      },
    }, label);
  }

  function eventItem(ev) {
    const said = ev.asserted_by ? ` — per ${who(ev.asserted_by)}` : '';
    return node('li', { 'data-event-id': ev.id },
      node('span', { class: 'alert-event-head' }, `${ev.event_type || '?'} ${who(ev.actor)} → ${who(ev.recipient)} `,
        `[${ev.polarity || 'affirmed'}, ${ev.modality || 'actual'}${said}] ${ev.date || ''} `),
      storyLink(ev.story_id, ev.id, 'open story'),
      ev.sentence ? node('q', { class: 'alert-sentence' }, ev.sentence) : null);
  }

  function alertItem(a) {
    const events = a.events || [];
    const more = (a.num_events || events.length) > events.length ? ` (${a.num_events} events, ${events.length} listed)` : '';
    const sources = (a.sources || []).join(', ');
    return node('li', { class: `alert sev-${a.severity}`, 'data-testid': 'alert', 'data-alert-id': a.id },
      node('div', { class: 'alert-head' },
        node('span', { class: `badge sev-${a.severity}` }, a.severity),
        node('strong', { class: 'alert-rule' }, a.rule),
        node('time', { datetime: a.raised_at }, a.raised_at ? a.raised_at.replace('T', ' ').replace('Z', ' UTC') : '')),
      node('p', { class: 'alert-summary' }, a.summary || '', more),
      sources ? node('p', { class: 'alert-sources' }, `Sources: ${sources}`) : null,
      events.length ? node('ol', { class: 'alert-events' }, events.map(eventItem)) : null);
  }

  function add(alerts, onTop) {
    const list = el('alerts-list');
    const fresh = alerts.filter((a) => !shown.has(a.id));
    for (const a of fresh) { shown.add(a.id); lastId = Math.max(lastId, a.id); }
    const items = fresh.map(alertItem);
    if (onTop) list.prepend(...items.reverse()); else list.append(...items);
    while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
    el('alerts-msg').textContent = shown.size ? '' : 'No alerts yet. `tocsin watch` raises them here as they happen.';
  }

  function listen() {
    const stream = new EventSource(`/api/alerts/stream?after=${lastId}`);
    stream.addEventListener('alert', (e) => {
      try { add([JSON.parse(e.data)], true); } catch { /* a malformed message is skipped */ }
      el('alerts-live').textContent = 'live';
    });
    stream.addEventListener('open', () => { el('alerts-live').textContent = 'live'; });
    stream.addEventListener('error', () => { el('alerts-live').textContent = 'reconnecting…'; });
  }

  async function start() {
    if (!el('alerts-list')) return;
    try {
      const res = await fetch('/api/alerts?limit=50');
      const data = await res.json();
      if (!res.ok || data.ok === false) throw new Error(data.error || `HTTP ${res.status}`);
      add(data.items, false);
    } catch (e) {
      el('alerts-msg').textContent = `Could not load alerts: ${e.message}`;
    }
    listen();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
