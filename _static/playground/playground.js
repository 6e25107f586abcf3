/*
 * The chapter 11 playground, in the page: controls, charts (uPlot) and the workers that compute.
 *
 * The mathematics is in engine.js (the same formulas as wtinit_lib). This file builds the
 * controls inside <div id="wtinit-playground">, sends settings to Web Workers, and draws what
 * comes back. Two modes:
 *
 * - Signal: a fresh MLP([width] * (depth + 1) + [1]) and one forward and backward pass
 *   (wtinit_lib.diagnostics.signal_propagation): histograms of A^ℓ and dW^ℓ for up to six
 *   evenly spaced hidden layers ℓ, and std(A^ℓ), std(dW^ℓ) for every layer on a log axis.
 *   The batch's rows are split between two workers; their partial sums of dW^ℓ add up.
 * - Training: one network per chosen initializer on a 2-D data set, full-batch gradient
 *   descent W ← W - η dW; loss curves and each network's decision boundary as it trains.
 *
 * For tests and curious readers, the last results are on window.wtinitPlayground and, as JSON,
 * in the container's data-signal and data-train attributes.
 */
(function () {
  'use strict';

  const root = document.getElementById('wtinit-playground');
  if (!root) return;
  const E = window.WtinitEngine;
  const uPlot = window.uPlot;
  if (!E || !uPlot) {
    root.insertAdjacentHTML(
      'beforeend',
      '<p class="wtp-error">The playground could not load its scripts.</p>',
    );
    return;
  }

  // wtinit_lib.plotting.PALETTE (Okabe & Ito's colour-blind safe colours).
  const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442'];
  const CLASS_COLORS = [PALETTE[0], PALETTE[1]]; // label 0 blue, label 1 orange
  const params = new URLSearchParams(location.search);
  // ?workers=0 (or window.WTINIT_PLAYGROUND_WORKERS = 0, set before this script) computes in the
  // page itself, as it must where workers cannot start.
  const noWorkers = params.get('workers') === '0' || window.WTINIT_PLAYGROUND_WORKERS === 0;

  // -------------------------------------------------------------------------------------------
  // Workers. Each runs engine.js's message handler; a page that cannot start one (opened from
  // file://, say) runs the same handler itself, in smaller chunks.
  // -------------------------------------------------------------------------------------------

  function scriptUrl(name) {
    const el = document.querySelector(`script[src*="playground/${name}"]`);
    return el ? el.src : null;
  }

  class Channel {
    constructor(label) {
      this.label = label;
      this.nextId = 1;
      this.waiting = new Map();
      this.listeners = [];
      const onMessage = (msg) => {
        const resolve = this.waiting.get(msg.id);
        if (resolve && msg.type !== 'train') {
          this.waiting.delete(msg.id);
          resolve(msg);
        }
        this.listeners.forEach((f) => f(msg));
      };
      const kernels = scriptUrl('kernels.js'),
        engine = scriptUrl('engine.js');
      this.inPage = noWorkers || !kernels || !engine;
      if (!this.inPage) {
        try {
          const source =
            `importScripts(${JSON.stringify(kernels)}, ${JSON.stringify(engine)});\n` +
            'const handle = self.WtinitEngine.createHandler(\n' +
            '  (message, transfer) => self.postMessage(message, transfer || []),\n' +
            '  { kernels: self.WTINIT_KERNELS });\n' +
            'self.onmessage = (event) => handle(event.data);\n';
          const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
          this.worker = new Worker(url, { name: `wtinit-${label}` });
          this.worker.onmessage = (event) => onMessage(event.data);
          this.worker.onerror = (event) => {
            event.preventDefault();
            this.fail(event.message || 'the worker failed to start');
          };
        } catch (error) {
          this.inPage = true;
        }
      }
      if (this.inPage) {
        // No worker: the page computes, in chunks of 12 ms so that it keeps drawing.
        const handle = E.createHandler((message) => setTimeout(() => onMessage(message), 0), {
          kernels: window.WTINIT_KERNELS,
          chunkMs: 12,
          pauseMs: 4,
        });
        this.worker = { postMessage: (message) => setTimeout(() => handle(message), 0) };
      }
    }

    fail(message) {
      for (const resolve of this.waiting.values()) resolve({ type: 'error', message });
      this.waiting.clear();
      this.listeners.forEach((f) => f({ type: 'error', message }));
    }

    send(message) {
      const id = this.nextId++;
      this.worker.postMessage({ ...message, id });
      return id;
    }

    request(message, transfer = []) {
      return new Promise((resolve) => {
        const id = this.nextId++;
        this.waiting.set(id, resolve);
        this.worker.postMessage({ ...message, id }, transfer);
      });
    }
  }

  const cores = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
  const signalWorkers = Array.from({ length: cores }, (_, k) => new Channel(`signal-${k}`));
  let trainWorker = null; // started when the training tab is first opened

  /**
   * The signal experiment. Large networks split their batch's rows between two workers: the
   * second sends its part (moved, not copied) to the first, which adds the parts up, so the
   * page's own thread only draws. Float64 when float32 left its range.
   */
  async function computeSignal(settings) {
    const start = performance.now();
    const s = { ...E.SIGNAL_DEFAULTS, ...settings };
    const big = s.depth * s.width * s.width >= 1e6; // below, one worker is as fast
    const P = signalWorkers[0].inPage || !big ? 1 : signalWorkers.length;
    let reply;
    if (P === 1) {
      reply = await signalWorkers[0].request({ type: 'signal', settings });
    } else {
      const m = s.n_samples;
      const cut = (k) => Math.round((k * m) / P / 8) * 8; // whole tiles of 8 rows
      const rows = (k) => [cut(k), k === P - 1 ? m : cut(k + 1)];
      const replies = await Promise.all(
        signalWorkers
          .slice(0, P)
          .map((w, k) =>
            w.request({ type: 'signal-part', settings, rows: rows(k), keep: k === 0 }),
          ),
      );
      const error = replies.find((r) => r.type === 'error');
      if (error) throw new Error(error.message);
      const parts = replies.slice(1).map((r) => r.part);
      const transfer = parts.flatMap((p) => [...p.dWs, ...p.acts_shown].map((b) => b.data.buffer));
      reply = await signalWorkers[0].request({ type: 'signal-combine', settings, parts }, transfer);
    }
    if (reply.type === 'error') throw new Error(reply.message);
    const result = reply.result;
    result.timing.compute = performance.now() - start;
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Small DOM helpers.
  // -------------------------------------------------------------------------------------------

  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === false || value == null) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else el.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) if (child != null) el.append(child);
    return el;
  }

  let uid = 0;
  const newId = (stem) => `wtp-${stem}-${++uid}`;

  /** A labelled <select>; options are [value, label] pairs. */
  function selectControl(label, options, value, help) {
    const id = newId('select');
    const select = h('select', { id, ...(help ? { 'aria-describedby': `${id}-help` } : {}) });
    for (const [v, text] of options) select.append(h('option', { value: v, text }));
    select.value = String(value);
    const field = h('div', { class: 'wtp-field' }, h('label', { for: id, text: label }), select);
    if (help) field.append(h('small', { id: `${id}-help`, class: 'wtp-help', text: help }));
    return { field, input: select, get: () => select.value };
  }

  /**
   * A labelled range input with its value shown beside it; `values` are the allowed values
   * (the slider moves over their indices), `format` turns one into text.
   */
  function rangeControl(label, values, value, format) {
    const id = newId('range');
    let index = values.indexOf(value);
    if (index < 0) index = 0;
    const input = h('input', {
      id,
      type: 'range',
      min: 0,
      max: values.length - 1,
      step: 1,
      value: index,
      'data-values': JSON.stringify(values),
    });
    const output = h('output', { for: id, class: 'wtp-value' });
    const sync = () => {
      const text = format(values[Number(input.value)]);
      output.textContent = text;
      input.setAttribute('aria-valuetext', text);
    };
    sync();
    input.addEventListener('input', sync);
    const field = h(
      'div',
      { class: 'wtp-field' },
      h('label', { for: id }, label, ' ', output),
      input,
    );
    return {
      field,
      input,
      get: () => values[Number(input.value)],
      set: (v) => {
        input.value = String(Math.max(0, values.indexOf(v)));
        sync();
      },
    };
  }

  function numberControl(label, value, min, max) {
    const id = newId('number');
    const input = h('input', {
      id,
      type: 'number',
      min,
      max,
      step: 1,
      value,
      inputmode: 'numeric',
    });
    const field = h(
      'div',
      { class: 'wtp-field wtp-narrow' },
      h('label', { for: id, text: label }),
      input,
    );
    const get = () => {
      const v = Math.round(Number(input.value));
      return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : value;
    };
    return { field, input, get };
  }

  function setStatus(el, text) {
    el.textContent = text;
  }

  const fmt = (x, digits = 2) => {
    if (x === null || x === undefined) return '–';
    if (Number.isNaN(x)) return 'nan';
    if (x === 0) return '0';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
    const a = Math.abs(x);
    return a >= 1e4 || a < 1e-3
      ? x.toExponential(digits - 1).replace('e+', 'e')
      : x.toPrecision(digits);
  };
  // Scale multipliers in round numbers (the chapter's settings use 2 and 3), finer near 1.
  const SIGNAL_SCALES = [
    0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.75, 2, 2.5, 3, 3.5, 4,
  ];
  const TRAIN_SCALES = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 50, 100];
  const formatScale = (v) => `×${v}`;
  const nextFrame = () =>
    new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));

  // -------------------------------------------------------------------------------------------
  // Charts (uPlot). Every chart sizes itself to its box and follows it when the page resizes.
  // -------------------------------------------------------------------------------------------

  const FONT = '11px system-ui, sans-serif';
  // Tick labels; uPlot passes null for the log axis's unlabelled ticks.
  const ticks = (digits) => (u, splits) => splits.map((v) => (v == null ? '' : fmt(v, digits)));
  const AXIS = {
    font: FONT,
    stroke: '#444',
    grid: { stroke: '#e6e6e6', width: 1 },
    ticks: { stroke: '#bbb', width: 1, size: 4 },
  };
  // Our own tick positions: uPlot's log scale rounds its ticks to 16 decimals, so below 1e-16
  // its tick loop never advances; vanishing networks go far below that (1e-35 and less). So
  // log-axis charts plot log10 of the values on a linear scale, with ticks at whole decades.
  function decadeSplits(u, axisIdx, min, max) {
    const lo = Math.floor(min),
      hi = Math.ceil(max);
    const step = Math.max(1, Math.ceil((hi - lo) / 7));
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
    return out;
  }
  const decadeValues = (u, splits) => splits.map((v) => (v === 0 ? '1' : `1e${v}`));
  const log10OrNull = (v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null);
  function decadeRange(u, min, max) {
    if (min == null || max == null || !Number.isFinite(min + max)) return [-1, 0];
    const lo = Math.floor(min),
      hi = Math.ceil(max);
    return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  }

  /** Three ticks for a symmetric histogram range: -t, 0, t with t a round number. */
  function symmetricSplits(u, axisIdx, min, max) {
    const bound = Math.max(Math.abs(min), Math.abs(max));
    if (!(bound > 0) || !Number.isFinite(bound)) return [0];
    const p = 10 ** Math.floor(Math.log10(0.7 * bound));
    const t = [5, 2, 1].map((k) => k * p).find((x) => x <= 0.7 * bound) || p;
    return [-t, 0, t];
  }

  const charts = new Set();
  const resizer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = entry.target._wtpChart;
      if (!chart) continue;
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: chart.height });
    }
  });

  function mount(box, opts, data) {
    const width = Math.max(120, Math.floor(box.clientWidth || 300));
    const chart = new uPlot({ ...opts, width }, data, box);
    box._wtpChart = chart;
    charts.add(chart);
    resizer.observe(box);
    return chart;
  }

  function unmount(chart) {
    if (!chart) return;
    resizer.unobserve(chart.root.parentElement);
    charts.delete(chart);
    chart.destroy();
  }

  /** A histogram panel: bars over bin centres, a fixed x range, no y axis (as the book's). */
  function histogramChart(box, color) {
    const state = { range: [-1, 1] };
    const chart = mount(
      box,
      {
        height: 110,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false },
        padding: [6, 8, 0, 8],
        scales: {
          x: { time: false, range: () => state.range },
          y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] },
        },
        axes: [
          { ...AXIS, size: 26, grid: { show: false }, splits: symmetricSplits, values: ticks(2) },
          { show: false },
        ],
        series: [
          {},
          {
            fill: `${color}cc`,
            stroke: color,
            width: 0,
            paths: uPlot.paths.bars({ size: [1, Infinity], align: 0 }),
          },
        ],
      },
      [[0], [0]],
    );
    chart._state = state;
    return chart;
  }

  /** A y axis for log10 values: ticks at decades, labelled 1e-3, 1e-2, ... */
  const decadeAxis = (label) => ({
    ...AXIS,
    label,
    labelSize: 18,
    labelFont: FONT,
    size: 52,
    splits: decadeSplits,
    values: decadeValues,
  });
  // A series of log10 values whose legend shows the value itself.
  const logValue = (u, v) => (v == null ? '–' : fmt(10 ** v, 3));

  /** std per layer on a log axis, one series per statistic. */
  function stdChart(box) {
    const points = (color) => ({ show: true, size: 6, stroke: color, fill: color });
    return mount(
      box,
      {
        height: 260,
        cursor: { points: { size: 7 } },
        scales: { x: { time: false }, y: { range: decadeRange } },
        axes: [
          {
            ...AXIS,
            label: 'layer ℓ',
            labelSize: 18,
            labelFont: FONT,
            incrs: [1, 2, 5, 10, 20],
            values: (u, splits) => splits.map((v) => String(v)),
          },
          decadeAxis('standard deviation (log axis)'),
        ],
        series: [
          { label: 'ℓ' },
          {
            label: 'std of activations A',
            stroke: PALETTE[0],
            width: 2,
            points: points(PALETTE[0]),
            value: logValue,
          },
          {
            label: 'std of weight gradients dW',
            stroke: PALETTE[3],
            width: 2,
            dash: [6, 3],
            points: points(PALETTE[3]),
            value: logValue,
          },
        ],
      },
      [[1], [null], [null]],
    );
  }

  // -------------------------------------------------------------------------------------------
  // The page's frame: tabs, then one panel per mode.
  // -------------------------------------------------------------------------------------------

  root.textContent = '';
  root.classList.add('wtp-live');
  const tabs = h('div', { class: 'wtp-tabs', role: 'tablist', 'aria-label': 'Playground mode' });
  root.append(
    h(
      'p',
      { class: 'wtp-intro' },
      'Everything below is computed in this page, by your browser: change a control and the ',
      "network is drawn and run again (the numbers differ from the book's, which numpy drew; ",
      'their statistics do not).',
    ),
    tabs,
  );
  const panels = {};
  for (const [key, label] of [
    ['signal', 'Signal at initialization'],
    ['train', 'Training'],
  ]) {
    const tab = h('button', {
      type: 'button',
      role: 'tab',
      id: `wtp-tab-${key}`,
      'aria-controls': `wtp-panel-${key}`,
      'aria-selected': key === 'signal' ? 'true' : 'false',
      tabindex: key === 'signal' ? '0' : '-1',
      text: label,
    });
    const panel = h('section', {
      role: 'tabpanel',
      id: `wtp-panel-${key}`,
      'aria-labelledby': `wtp-tab-${key}`,
      class: 'wtp-panel',
      hidden: key !== 'signal',
    });
    tabs.append(tab);
    root.append(panel);
    panels[key] = { tab, panel };
  }

  function selectTab(key, focus) {
    for (const [k, { tab, panel }] of Object.entries(panels)) {
      const on = k === key;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
      if (on && focus) tab.focus();
    }
    if (key === 'train') train.open();
    // Charts in a hidden panel have no width: size them now that they show.
    for (const chart of charts) {
      const box = chart.root.parentElement;
      if (box.clientWidth && box.clientWidth !== chart.width)
        chart.setSize({ width: box.clientWidth, height: chart.height });
    }
  }
  tabs.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) selectTab(tab.id.replace('wtp-tab-', ''), false);
  });
  tabs.addEventListener('keydown', (event) => {
    // The tabs pattern of WAI-ARIA: arrows move between tabs, Home/End to the ends.
    const keys = Object.keys(panels);
    const current = keys.findIndex((k) => panels[k].tab === document.activeElement);
    if (current < 0) return;
    let next = null;
    if (event.key === 'ArrowRight') next = (current + 1) % keys.length;
    else if (event.key === 'ArrowLeft') next = (current + keys.length - 1) % keys.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = keys.length - 1;
    if (next === null) return;
    event.preventDefault();
    selectTab(keys[next], true);
  });

  const initOptions = E.INITIALIZERS.map((i) => [i.name, i.label]);
  const activationOptions = E.ACTIVATION_NAMES.map((a) => [a, a]);

  // -------------------------------------------------------------------------------------------
  // Signal mode.
  // -------------------------------------------------------------------------------------------

  const signal = (() => {
    const d = E.SIGNAL_DEFAULTS;
    const depth = rangeControl(
      'depth',
      Array.from({ length: 40 }, (_, i) => i + 1),
      d.depth,
      String,
    );
    const width = rangeControl(
      'width',
      Array.from({ length: 40 }, (_, i) => 10 * (i + 1)),
      d.width,
      String,
    );
    const activation = selectControl('activation', activationOptions, d.activation);
    const init = selectControl('initializer', initOptions, d.weight_init);
    const scale = rangeControl('scale', SIGNAL_SCALES, d.scale, formatScale);
    const seed = numberControl('seed', d.seed, 0, 9999);
    const form = h(
      'form',
      { class: 'wtp-controls', 'aria-label': 'Network at initialization' },
      depth.field,
      width.field,
      activation.field,
      init.field,
      scale.field,
      seed.field,
    );
    form.addEventListener('submit', (event) => event.preventDefault());
    const status = h(
      'p',
      { class: 'wtp-status', role: 'status', 'aria-live': 'polite' },
      'Starting…',
    );
    const rows = {};
    const figure = h('div', { class: 'wtp-figure' });
    for (const [key, name, color] of [
      ['act', 'Activations A', PALETTE[0]],
      ['grad', 'Weight gradients dW', PALETTE[3]],
    ]) {
      const grid = h('div', { class: 'wtp-hist-grid' });
      const heading = h('h3', {
        class: 'wtp-chart-title',
        text: `${name} of evenly spaced layers (common x axis)`,
      });
      figure.append(heading, grid);
      rows[key] = Array.from({ length: 6 }, () => {
        const title = h('div', { class: 'wtp-panel-title' });
        const box = h('div', { class: 'wtp-chart', role: 'img' });
        const cell = h('div', { class: 'wtp-hist-cell' }, title, box);
        grid.append(cell);
        return { cell, title, box, color, name, chart: null };
      });
    }
    const stdBox = h('div', { class: 'wtp-chart', role: 'img' });
    figure.append(
      h('h3', { class: 'wtp-chart-title', text: 'Standard deviation per layer (log axis)' }),
      stdBox,
    );
    const table = h('table', { class: 'wtp-table' });
    const details = h(
      'details',
      { class: 'wtp-details' },
      h('summary', { text: 'Numbers behind the charts' }),
      table,
    );
    panels.signal.panel.append(form, status, figure, details);

    let std = null;
    let busy = false,
      pending = null,
      updates = 0;

    function settings() {
      return {
        depth: depth.get(),
        width: width.get(),
        activation: activation.get(),
        weight_init: init.get(),
        scale: scale.get(),
        seed: seed.get(),
      };
    }

    function request(eventTime) {
      pending = { settings: settings(), t0: eventTime ?? performance.now() };
      if (!busy) pump();
    }

    async function pump() {
      busy = true;
      root.dataset.signalBusy = 'true';
      while (pending) {
        const job = pending;
        pending = null;
        let result;
        // Say so when it takes a while: orthogonal kernels need a QR decomposition per layer
        // (seconds at width 400, the first time), float64 reruns are slower than float32.
        const s = job.settings;
        const slow = setTimeout(() => {
          const qr =
            s.weight_init === 'orthogonal' ? ' (orthogonal: a QR decomposition per layer)' : '';
          setStatus(status, `Computing depth ${s.depth}, width ${s.width}${qr}…`);
        }, 300);
        try {
          result = await computeSignal(job.settings);
        } catch (error) {
          setStatus(status, `Could not compute: ${error.message}`);
          console.warn(error);
          continue;
        } finally {
          clearTimeout(slow);
        }
        const t1 = performance.now();
        draw(result);
        const t2 = await nextFrame();
        result.timing.draw = t2 - t1;
        result.timing.latency = t2 - job.t0; // control change -> charts redrawn
        result.timing.drawn_at = t2;
        updates++;
        publish(result);
      }
      busy = false;
      root.dataset.signalBusy = 'false';
    }

    function draw(result) {
      const s = result.settings;
      for (const key of ['act', 'grad']) {
        const hist = result.hist[key];
        const [lo, hi] = hist.range;
        const centers = Array.from(
          { length: hist.bins },
          (_, i) => lo + ((i + 0.5) * (hi - lo)) / hist.bins,
        );
        rows[key].forEach((panel, k) => {
          const on = k < result.shown.length;
          panel.cell.hidden = !on;
          if (!on) return;
          if (!panel.chart) panel.chart = histogramChart(panel.box, panel.color);
          const layer = result.shown[k];
          const sd = hist.stds[k];
          const symbol = key === 'act' ? 'A' : 'dW';
          panel.title.textContent = `${symbol}, ℓ = ${layer} · std ${fmt(sd)}`;
          panel.box.setAttribute(
            'aria-label',
            `Histogram of ${panel.name.toLowerCase()} of layer ${layer}: ` +
              `std ${fmt(sd)}, range ±${fmt(hi)}`,
          );
          panel.chart._state.range = [lo, hi];
          panel.chart.setData([centers, hist.counts[k]]);
        });
      }
      if (!std) std = stdChart(stdBox);
      const layers = Array.from({ length: s.depth }, (_, i) => i + 1);
      std.setData([layers, result.act_stds.map(log10OrNull), result.grad_stds.map(log10OrNull)]);
      const zero = !result.act_stds.some(log10OrNull) && !result.grad_stds.some(log10OrNull);
      stdBox.setAttribute(
        'aria-label',
        `Standard deviation of A and dW per layer, layers 1 to ${s.depth}: ` +
          `std A from ${fmt(result.act_stds[0])} to ${fmt(result.act_stds[s.depth - 1])}, ` +
          `std dW from ${fmt(result.grad_stds[0])} to ${fmt(result.grad_stds[s.depth - 1])}`,
      );
      table.replaceChildren(
        h('caption', {
          text:
            `${s.activation}, ${E.initializerLabel(s.weight_init)} ${formatScale(s.scale)}, ` +
            `depth ${s.depth}, width ${s.width}, seed ${s.seed}`,
        }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', text: 'layer ℓ' }),
            h('th', { scope: 'col', text: 'std of A' }),
            h('th', { scope: 'col', text: 'std of dW' }),
          ),
        ),
        h(
          'tbody',
          {},
          ...layers.map((l) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row', text: String(l) }),
              h('td', { text: fmt(result.act_stds[l - 1], 3) }),
              h('td', { text: fmt(result.grad_stds[l - 1], 3) }),
            ),
          ),
        ),
      );
      const how =
        `${result.precision} ${result.backend.startsWith('wasm') ? 'WebAssembly' : 'JavaScript'}` +
        `${result.workers > 1 ? `, ${result.workers} workers` : ''}`;
      const notes = [];
      if (zero) notes.push('every standard deviation is 0: the hidden units are all equal');
      if (result.float32_out_of_range)
        notes.push('computed in float64: float32 would over- or underflow');
      setStatus(
        status,
        `Depth ${s.depth}, width ${s.width}: ` +
          `computed in ${Math.round(result.timing.compute)} ms (${how}).` +
          (notes.length ? ` Note: ${notes.join('; ')}.` : ''),
      );
    }

    function publish(result) {
      const summary = {
        settings: result.settings,
        act_stds: result.act_stds,
        grad_stds: result.grad_stds,
        loss: result.loss,
        shown: result.shown,
        backend: result.backend,
        workers: result.workers,
        precision: result.precision,
        float32_out_of_range: !!result.float32_out_of_range,
        timing: result.timing,
        update: updates,
      };
      window.wtinitPlayground.signal = summary;
      window.wtinitPlayground.signalHistory.push(summary);
      root.dataset.signal = JSON.stringify(summary);
      root.dataset.signalUpdates = String(updates);
    }

    for (const control of [depth, width, scale]) {
      control.input.addEventListener('input', (event) => request(event.timeStamp));
    }
    for (const control of [activation, init, seed]) {
      control.input.addEventListener('change', (event) => request(event.timeStamp));
    }
    return { request, status, controls: { depth, width, activation, init, scale, seed } };
  })();

  // -------------------------------------------------------------------------------------------
  // Training mode.
  // -------------------------------------------------------------------------------------------

  const train = (() => {
    const d = E.TRAIN_DEFAULTS;
    const dataset = selectControl(
      'data set',
      [
        ['circles', 'circles'],
        ['moons', 'moons'],
        ['spirals', 'spirals (2 arms)'],
      ],
      d.dataset,
    );
    const hiddenChoices = [
      ['10,5', "2-10-5-1 (the course notebook's)"],
      ['16,16', '2-16-16-1'],
      ['32,32,32', '2-32-32-32-1'],
      ['8,8,8,8,8,8,8,8', '2-8×8-1 (deep)'],
    ];
    const hidden = selectControl('layers', hiddenChoices, d.hidden.join(','));
    const activation = selectControl('activation', activationOptions, d.activation);
    const lr = selectControl(
      'learning rate η',
      [0.01, 0.03, 0.1, 0.3, 0.5, 1, 2].map((v) => [v, String(v)]),
      d.lr,
    );
    const epochs = selectControl(
      'epochs',
      [300, 1000, 2000, 5000, 15000].map((v) => [v, v.toLocaleString('en')]),
      d.epochs,
    );
    const scale = rangeControl('scale', TRAIN_SCALES, d.scale, formatScale);
    const seed = numberControl('seed', d.seed, 0, 9999);
    const initBox = h(
      'fieldset',
      { class: 'wtp-inits' },
      h('legend', { text: 'initializers, side by side' }),
    );
    const checks = E.INITIALIZERS.map((i) => {
      const id = newId('init');
      const box = h('input', {
        id,
        type: 'checkbox',
        value: i.name,
        checked: d.inits.includes(i.name),
      });
      const label = h('label', { for: id, text: i.label });
      initBox.append(h('span', { class: 'wtp-check' }, box, label));
      return box;
    });
    const run = h('button', { type: 'button', class: 'wtp-button wtp-primary', text: 'Train' });
    const reset = h('button', { type: 'button', class: 'wtp-button', text: 'Reset' });
    const form = h(
      'form',
      { class: 'wtp-controls', 'aria-label': 'Training' },
      dataset.field,
      hidden.field,
      activation.field,
      lr.field,
      epochs.field,
      scale.field,
      seed.field,
      initBox,
      h('div', { class: 'wtp-buttons' }, run, reset),
    );
    form.addEventListener('submit', (event) => event.preventDefault());
    const status = h(
      'p',
      { class: 'wtp-status', role: 'status', 'aria-live': 'polite' },
      'Choose settings and press Train.',
    );
    const lossBox = h('div', {
      class: 'wtp-chart',
      role: 'img',
      'aria-label': 'Training loss per epoch, one line per initializer',
    });
    const boundaries = h('div', { class: 'wtp-boundary-grid' });
    const table = h('table', { class: 'wtp-table' });
    const details = h(
      'details',
      { class: 'wtp-details' },
      h('summary', { text: 'Numbers behind the charts' }),
      table,
    );
    panels.train.panel.append(
      form,
      status,
      h(
        'div',
        { class: 'wtp-figure' },
        h('h3', {
          class: 'wtp-chart-title',
          text: 'Training loss (binary cross-entropy, log axis)',
        }),
        lossBox,
        h('h3', {
          class: 'wtp-chart-title',
          text: 'Decision boundaries: the predicted class on a grid, with the training points',
        }),
        boundaries,
      ),
      details,
    );

    let opened = false,
      state = 'idle'; // idle (at epoch 0) | running | paused | done
    let lossChart = null,
      panelsByInit = [],
      losses = [],
      points = null,
      runId = 0,
      last = null;
    let logLosses = [],
      epochAxis = [];
    let frameQueued = false,
      latest = null;

    function settings() {
      const inits = checks.filter((c) => c.checked).map((c) => c.value);
      return {
        dataset: dataset.get(),
        hidden: hidden.get().split(',').map(Number),
        activation: activation.get(),
        lr: Number(lr.get()),
        epochs: Number(epochs.get()),
        scale: scale.get(),
        seed: seed.get(),
        inits: inits.length ? inits : ['he_normal'],
      };
    }

    function open() {
      if (opened) return;
      opened = true;
      trainWorker = new Channel('train');
      trainWorker.listeners.push(onMessage);
      resetRun();
    }

    function resetRun() {
      state = 'idle';
      runId = trainWorker.send({ type: 'train-reset', settings: settings() });
      updateButtons();
    }

    function updateButtons() {
      const labels = {
        idle: 'Train',
        running: 'Pause',
        pausing: 'Pause',
        paused: 'Resume',
        done: 'Train again',
      };
      run.textContent = labels[state];
      root.dataset.trainState = state;
    }

    function onMessage(msg) {
      if (msg.type === 'error') {
        setStatus(status, `Training failed: ${msg.message}`);
        return;
      }
      if (msg.type !== 'train' || msg.id !== runId) return;
      const snap = msg.snapshot;
      if (snap.points) rebuild(snap);
      snap.runs.forEach((r, k) => {
        for (const value of r.loss) {
          losses[k].push(value);
          logLosses[k].push(log10OrNull(value));
        }
      });
      while (epochAxis.length < Math.max(...losses.map((l) => l.length)))
        epochAxis.push(epochAxis.length + 1);
      latest = snap;
      if (snap.paused && state === 'pausing') state = 'paused';
      if (snap.done && (state === 'running' || state === 'pausing')) state = 'done';
      if (!frameQueued) {
        frameQueued = true;
        requestAnimationFrame(() => {
          frameQueued = false;
          draw(latest);
        });
      }
    }

    /** New settings: new panels (one per initializer) and an empty loss chart. */
    function rebuild(snap) {
      unmount(lossChart);
      panelsByInit.forEach((p) => unmount(p.chart));
      boundaries.textContent = '';
      points = snap.points;
      losses = snap.runs.map(() => []);
      logLosses = snap.runs.map(() => []); // what the chart draws, grown epoch by epoch
      epochAxis = [];
      const { box } = snap;
      // uPlot draws a scatter over a sorted x: sort the training points by x1.
      const order = Array.from({ length: points.y.length }, (_, i) => i).sort(
        (a, b) => points.X[2 * a] - points.X[2 * b],
      );
      const xs = order.map((i) => points.X[2 * i]);
      const ys = [0, 1].map((label) =>
        order.map((i) => (points.y[i] === label ? points.X[2 * i + 1] : null)),
      );
      panelsByInit = snap.runs.map((r, k) => {
        const title = h('div', { class: 'wtp-panel-title' });
        const chartBox = h('div', { class: 'wtp-chart wtp-square', role: 'img' });
        boundaries.append(h('div', { class: 'wtp-boundary-cell' }, title, chartBox));
        const image = document.createElement('canvas');
        image.width = image.height = box.cells;
        const panel = {
          init: r.init,
          title,
          box: chartBox,
          image,
          color: PALETTE[k % PALETTE.length],
        };
        const pointStyle = (label) => ({
          show: true,
          size: 5,
          width: 1,
          stroke: '#222',
          fill: CLASS_COLORS[label],
        });
        panel.chart = mount(
          chartBox,
          {
            height: 220,
            legend: { show: false },
            cursor: { show: false },
            select: { show: false },
            padding: [4, 6, 0, 0],
            scales: {
              x: { time: false, range: () => [box.x0, box.x1] },
              y: { range: () => [box.y0, box.y1] },
            },
            axes: [
              { ...AXIS, size: 24, values: ticks(2) },
              { ...AXIS, size: 40, values: ticks(2) },
            ],
            series: [
              {},
              ...[0, 1].map((label) => ({
                stroke: CLASS_COLORS[label],
                paths: () => null,
                points: pointStyle(label),
              })),
            ],
            hooks: {
              // The class map is an image with one pixel per grid cell, scaled to the plot area
              // (uPlot's bbox, in canvas pixels) before the axes and points are drawn.
              drawClear: [
                (u) => {
                  const { left, top, width, height } = u.bbox;
                  u.ctx.save();
                  u.ctx.imageSmoothingEnabled = false;
                  u.ctx.drawImage(panel.image, left, top, width, height);
                  u.ctx.restore();
                },
              ],
            },
          },
          [xs, ...ys],
        );
        return panel;
      });
      lossChart = mount(
        lossBox,
        {
          height: 240,
          scales: { x: { time: false }, y: { range: decadeRange } },
          axes: [
            { ...AXIS, label: 'epoch', labelSize: 18, labelFont: FONT },
            decadeAxis('loss (log axis)'),
          ],
          series: [
            { label: 'epoch' },
            ...snap.runs.map((r, k) => ({
              label: E.initializerLabel(r.init),
              stroke: PALETTE[k % PALETTE.length],
              width: 2,
              value: logValue,
              dash: k % 2 ? [6, 3] : undefined,
            })),
          ],
        },
        [[], ...snap.runs.map(() => [])],
      );
    }

    const CLASS_RGB = CLASS_COLORS.map((c) =>
      [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)),
    );

    function paint(panel, grid) {
      // Class 1 where sigmoid(Z^L) >= 0.5 (MLP.predict), its colour stronger with confidence.
      const ctx = panel.image.getContext('2d');
      const n = panel.image.width;
      const img = ctx.createImageData(n, n);
      const px = img.data;
      for (let i = 0; i < n * n; i++) {
        const p = grid[i];
        const rgb = CLASS_RGB[p >= 0.5 ? 1 : 0];
        px[4 * i] = rgb[0];
        px[4 * i + 1] = rgb[1];
        px[4 * i + 2] = rgb[2];
        px[4 * i + 3] = Number.isFinite(p) ? 64 + 128 * Math.abs(2 * p - 1) : 0;
      }
      ctx.putImageData(img, 0, 0);
    }

    function draw(snap) {
      if (!snap) return;
      // A run that diverged stops early: pad its line with gaps to the common length.
      for (const l of logLosses) while (l.length < epochAxis.length) l.push(null);
      lossChart.setData([epochAxis, ...logLosses]);
      snap.runs.forEach((r, k) => {
        const panel = panelsByInit[k];
        paint(panel, r.grid);
        panel.chart.redraw(false, false);
        const lossText = r.diverged_at
          ? `diverged at epoch ${r.diverged_at}`
          : `loss ${fmt(r.final_loss, 3)}`;
        const train = Math.round(100 * r.train_acc),
          test = Math.round(100 * r.test_acc);
        const name = E.initializerLabel(r.init);
        panel.title.textContent = `${name}: ${lossText} · train ${train}% · test ${test}%`;
        panel.box.setAttribute(
          'aria-label',
          `Decision boundary of the network initialized with ${name} ` +
            `after ${snap.epoch} epochs: train accuracy ${train}%, test accuracy ${test}%`,
        );
      });
      if (details.open || state !== 'running')
        table.replaceChildren(
          h('caption', {
            text: `After ${snap.epoch} of ${snap.settings.epochs} epochs, η = ${snap.settings.lr}`,
          }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['initializer', 'loss', 'train accuracy', 'test accuracy'].map((t) =>
                h('th', { scope: 'col', text: t }),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...snap.runs.map((r) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row', text: E.initializerLabel(r.init) }),
                h('td', {
                  text: r.diverged_at ? `diverged (epoch ${r.diverged_at})` : fmt(r.final_loss, 4),
                }),
                h('td', { text: r.train_acc.toFixed(3) }),
                h('td', { text: r.test_acc.toFixed(3) }),
              ),
            ),
          ),
        );
      if (snap.done && state !== 'idle') state = 'done';
      const what =
        state === 'idle'
          ? 'At initialization (epoch 0): press Train.'
          : state === 'done'
            ? `Done: ${snap.epoch} epochs.`
            : state === 'paused'
              ? `Paused at epoch ${snap.epoch}.`
              : `Training: epoch ${snap.epoch} of ${snap.settings.epochs}…`;
      setStatus(status, what);
      updateButtons();
      last = {
        settings: snap.settings,
        epoch: snap.epoch,
        done: snap.done,
        state,
        runs: snap.runs.map((r, k) => ({
          init: r.init,
          final_loss: r.final_loss,
          diverged_at: r.diverged_at,
          train_acc: r.train_acc,
          test_acc: r.test_acc,
          loss: losses[k],
        })),
      };
      window.wtinitPlayground.train = last;
      root.dataset.train = JSON.stringify({
        ...last,
        runs: last.runs.map(({ loss, ...rest }) => ({ ...rest, epochs: loss.length })),
      });
      root.dataset.trainEpoch = String(snap.epoch);
    }

    run.addEventListener('click', () => {
      if (state === 'running') {
        state = 'pausing'; // 'paused' when the worker says where it stopped
        trainWorker.send({ type: 'train-pause' });
      } else if (state === 'pausing') {
        return;
      } else if (state === 'paused') {
        state = 'running';
        trainWorker.send({ type: 'train-resume' });
      } else {
        if (state === 'done') resetRun();
        state = 'running';
        trainWorker.send({ type: 'train-resume' });
      }
      updateButtons();
    });
    reset.addEventListener('click', resetRun);
    for (const control of [dataset, hidden, activation, lr, epochs, seed])
      control.input.addEventListener('change', resetRun);
    scale.input.addEventListener('change', resetRun);
    checks.forEach((c) => c.addEventListener('change', resetRun));
    return {
      open,
      controls: { dataset, hidden, activation, lr, epochs, scale, seed, checks, run, reset },
    };
  })();

  window.wtinitPlayground = {
    signal: null,
    signalHistory: [],
    train: null,
    engine: E,
    select: selectTab,
  };
  root.dataset.ready = 'true';
  signal.request(performance.now());
  if (params.get('tab') === 'train') selectTab('train', false);
})();
