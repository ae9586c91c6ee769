// Fulcrum's live dashboard: one snapshot a second from /dashboard/stream (server-sent events),
// drawn without any framework; the charts are uPlot's. Served from the gateway's jar.
'use strict';

const HISTORY = 300;
const routes = new Map();      // route id -> { card, table, select, message, chart, names, data }
let replicas = null;            // { chart, names, data }
let lastSnapshot = 0;

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  children.forEach((child) => node.append(child));
  return node;
};
const number = (value, digits = 1) => (value == null ? '–' : Number(value).toFixed(digits));

const token = $('#token');
token.value = sessionStorage.getItem('fulcrum-management-token') || '';
token.addEventListener('change', () => sessionStorage.setItem('fulcrum-management-token', token.value));

function connect() {
  const source = new EventSource('stream');
  source.addEventListener('open', () => status('live', 'up'));
  source.addEventListener('error', () => status('reconnecting', 'down'));
  // Sent first on every (re)connection: the charts start again from it.
  source.addEventListener('history', (event) => {
    for (const series of [...routes.values(), replicas]) {
      if (series) {
        series.names = [];
        series.data = [[]];
      }
    }
    JSON.parse(event.data).forEach(addPoint);
  });
  source.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
}

function status(text, kind) {
  const badge = $('#connection');
  badge.textContent = text;
  badge.className = 'badge ' + kind;
}

// A point of history: the instances' shares per route, and the replicas.
function addPoint(point) {
  const at = point.at / 1000;
  for (const [route, shares] of Object.entries(point.shares || {})) {
    const state = routeState(route);
    push(state, at, shares);
  }
  push(replicasState(), at, point.replicas || {});
}

function push(series, at, values) {
  const times = series.data[0];
  if (times.length > 0 && at <= times[times.length - 1]) return; // seen already
  const names = Object.keys(values).sort();
  if (series.names.join() !== names.join()) {
    series.names = names;
    series.data = [[], ...names.map(() => [])];
    series.chart?.destroy();
    series.chart = null;
  }
  series.data[0].push(at);
  names.forEach((name, i) => series.data[i + 1].push(values[name]));
  if (series.data[0].length > HISTORY) series.data.forEach((column) => column.shift());
  draw(series);
}

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function draw(series) {
  if (!series.target.isConnected || series.names.length === 0) return;
  if (!series.chart) {
    series.chart = new uPlot({
      width: Math.max(300, series.target.clientWidth),
      height: 200,
      scales: series.percent ? { y: { range: [0, 1] } } : {},
      axes: [{}, { values: series.percent ? (u, ticks) => ticks.map((t) => Math.round(t * 100) + ' %') : undefined }],
      series: [{}, ...series.names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
    }, series.data, series.target);
  } else {
    series.chart.setData(series.data);
  }
}

function routeState(route) {
  let state = routes.get(route);
  if (state) return state;
  const select = el('select', { 'data-route': route, title: 'needs the management token' });
  const message = el('span', { class: 'message muted' });
  const figures = el('div', { class: 'figures' });
  const table = el('table', { 'data-route': route });
  const target = el('div', { class: 'chart' });
  const card = el('section', { class: 'card', 'data-route': route },
    el('h2', {}, el('span', { textContent: route }), el('label', { class: 'muted' }, 'strategy ', select), message),
    figures, table, el('div', { class: 'muted', textContent: 'share of requests over time' }), target);
  $('#routes').append(card);
  select.addEventListener('change', () => switchStrategy(route, select.value, state));
  state = { card, select, message, figures, table, target, names: [], data: [[]], chart: null, percent: true };
  routes.set(route, state);
  return state;
}

function replicasState() {
  if (!replicas) {
    replicas = { target: $('#replicas-chart'), names: [], data: [[]], chart: null, percent: false };
  }
  return replicas;
}

async function switchStrategy(route, strategy, state) {
  // One switch at a time: two answers in flight could arrive in either order.
  state.switching = true;
  state.select.disabled = true;
  state.message.className = 'message muted';
  state.message.textContent = 'switching to ' + strategy + ' ...';
  try {
    const response = await fetch('/actuator/balancing/' + encodeURIComponent(route), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token.value },
      body: JSON.stringify({ strategy }),
    });
    if (response.ok) {
      state.message.textContent = 'now ' + strategy;
    } else {
      const problem = await response.json().catch(() => ({}));
      state.message.className = 'message error';
      state.message.textContent = response.status + ': ' + (problem.detail || problem.title || 'refused')
        + (response.status === 401 ? ' (type the management token above)' : '');
    }
  } catch (error) {
    state.message.className = 'message error';
    state.message.textContent = 'failed: ' + error.message;
  } finally {
    state.switching = false;
    state.select.disabled = false;
  }
}

function figure(value, label) {
  return el('div', { class: 'figure' }, el('b', { textContent: value }), el('span', { textContent: label }));
}

function render(snapshot) {
  lastSnapshot = Date.now();
  status('live', 'up');
  $('#gateway').textContent = snapshot.gateway;
  $('#updated').textContent = new Date(snapshot.at).toLocaleTimeString();
  for (const route of snapshot.routes) {
    const state = routeState(route.route);
    if (state.select.options.length === 0) {
      snapshot.strategies.forEach((name) => state.select.append(el('option', { value: name, textContent: name })));
    }
    if (!state.switching) state.select.value = route.strategy;
    state.card.dataset.strategy = route.strategy;
    const concurrency = route.concurrency;
    state.figures.replaceChildren(
      figure(number(route.requestsPerSecond), 'requests/s'),
      figure(route.breaker, 'circuit breaker'),
      figure(concurrency ? concurrency.inFlight + ' / ' + concurrency.limit : '–', 'in flight / concurrency limit'),
      figure(concurrency ? number(concurrency.shedPerSecond) : '–', 'shed/s'),
      figure(number(route.rateLimitedPerSecond), 'rate-limited/s'));
    const header = el('tr', {}, ...['instance', 'share (5 s)', 'requests/s', 'in flight', 'EWMA ms', 'p99 ms',
      'errors/s', 'health', 'state'].map((name) => el('th', { textContent: name })));
    const rows = route.instances.map((instance) => {
      const state = instance.draining ? 'draining' : instance.ejected ? 'ejected'
        : instance.warmthPercent < 100 ? 'warming ' + instance.warmthPercent + ' %' : 'in';
      return el('tr', { 'data-instance': instance.name, 'data-share': String(instance.share) },
        el('td', { textContent: instance.name, title: instance.address }),
        el('td', { class: 'share' }, el('div', { class: 'bar' },
          el('i', { style: 'width:' + Math.round(instance.share * 100) + '%' }),
          el('span', { textContent: Math.round(instance.share * 100) + ' %' }))),
        el('td', { textContent: number(instance.requestsPerSecond) }),
        el('td', { textContent: instance.inFlight }),
        el('td', { textContent: number(instance.ewmaMillis) }),
        el('td', { textContent: number(instance.p99Millis) }),
        el('td', { textContent: number(instance.errorsPerSecond) }),
        el('td', {}, el('span', { class: 'badge ' + (instance.healthy ? 'up' : 'down'),
          textContent: instance.healthy ? 'healthy' : 'failing' })),
        el('td', { textContent: state }));
    });
    state.table.replaceChildren(header, ...rows);
  }
  const queue = snapshot.queue;
  $('#queue').replaceChildren(...(queue ? [
    figure(queue.depth, 'in the stream (lag + pending)'), figure(queue.lag, 'lag'), figure(queue.pending, 'pending'),
    figure(queue.outstanding, 'unfinished jobs'), figure(queue.deadLetters, 'dead letters'),
    figure(number(queue.jobsPerSecond), 'jobs done/s'), figure(queue.workers, 'workers active (15 s)'),
  ] : [el('span', { class: 'muted', textContent: 'unknown: Redis did not answer' })]));
  const shares = {};
  for (const route of snapshot.routes) {
    shares[route.route] = Object.fromEntries(route.instances.map((instance) => [instance.name, instance.share]));
  }
  addPoint({ at: snapshot.at, shares, replicas: snapshot.replicas });
}

// The stream may stall without an error (a proxy holding it): say so.
setInterval(() => {
  if (lastSnapshot && Date.now() - lastSnapshot > 5000) status('stale', 'warn');
}, 1000);

window.addEventListener('resize', () => {
  for (const series of [...routes.values(), replicas]) {
    series?.chart?.setSize({ width: Math.max(300, series.target.clientWidth), height: 200 });
  }
});

connect();
