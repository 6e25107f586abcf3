"""Benchmark: which chart library draws the chapter 11 playground's charts fastest, and its size.

Draws the playground's charts with uPlot and with Chart.js in headless Chromium, from the same
data: the signal view (12 histograms of 40 bins and the std per layer of depth 40, two series)
and the training view (4 loss curves of 15,000 epochs, 4 decision boundaries: a 64 x 64 class map
and 300 points each). The class map is drawn two ways: as an image the library scales into its
plot area (uPlot: a drawClear hook; Chart.js: a plugin), and, in Chart.js, as 4,096 square
scatter points coloured one by one (its native "heatmap"). For each it prints the minified size
(raw and gzip), the time to build the charts and the median time to redraw them with new data
(20 updates; after each, the next animation frame, as the playground measures).

Needs Node's npm (to fetch both libraries into a temporary folder) and /usr/bin/chromium:

    .venv/bin/python benchmarks/playground_charts.py
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import vendor_js  # noqa: E402

CHARTJS = "4.6.1"  # the latest 4.x on npm when measured
LIBRARIES = {
    "uplot": (vendor_js.PINS["uplot"], "package/dist/uPlot.iife.min.js"),
    "chart.js": (CHARTJS, "package/dist/chart.umd.min.js"),
}

PAGE = """<!doctype html><meta charset="utf-8"><body style="width:720px">
<div id="charts"></div>
<script src="uplot.js"></script><script src="chart.js"></script>
<script>
const N_HIST = 12, BINS = 40, DEPTH = 40, EPOCHS = 15000, RUNS = 4, CELLS = 64, POINTS = 300;
const rnd = (n, f) => Array.from({length: n}, (_, i) => f(i));
function data(seed) {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return {
    centers: rnd(BINS, (i) => -1 + (i + 0.5) / 20),
    hists: rnd(N_HIST, () => rnd(BINS, (i) => Math.exp(-((i - 20) ** 2) / 50) * (1 + r()))),
    layers: rnd(DEPTH, (i) => i + 1),
    stds: [rnd(DEPTH, (i) => 0.5 ** i * (1 + r())), rnd(DEPTH, (i) => 1e-3 * (1 + r()))],
    epochs: rnd(EPOCHS, (i) => i + 1),
    losses: rnd(RUNS, (k) => rnd(EPOCHS, (i) => 0.7 / (1 + i / (100 + 50 * k)) * (1 + 0.01 * r()))),
    grid: rnd(RUNS, () => rnd(CELLS * CELLS, () => r())),
    px: rnd(POINTS, (i) => -1.2 + 2.4 * i / POINTS), py: rnd(POINTS, () => 2 * r() - 1),
  };
}
function paint(canvas, grid) {
  const ctx = canvas.getContext('2d'), img = ctx.createImageData(CELLS, CELLS);
  for (let i = 0; i < grid.length; i++) {
    const c = grid[i] >= 0.5 ? [230, 159, 0] : [0, 114, 178];
    img.data.set([...c, 64 + 128 * Math.abs(2 * grid[i] - 1)], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}
function box(w, h) {
  const el = document.createElement('div');
  el.style.cssText = `display:inline-block;width:${w}px;height:${h}px`;
  document.getElementById('charts').append(el);
  return el;
}
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));

const builders = {
  uplot(d) {
    const charts = [], images = [];
    const bars = uPlot.paths.bars({size: [1, Infinity]});
    for (let k = 0; k < N_HIST; k++) charts.push([new uPlot({width: 230, height: 110,
      legend: {show: false}, cursor: {show: false}, scales: {x: {time: false}},
      series: [{}, {fill: '#0072B2', paths: bars}]}, [d.centers, d.hists[k]], box(230, 110)),
      (d) => [d.centers, d.hists[k]]]);
    charts.push([new uPlot({width: 700, height: 260, scales: {x: {time: false}},
      series: [{}, {stroke: '#0072B2'}, {stroke: '#D55E00'}]},
      [d.layers, ...d.stds.map((s) => s.map(Math.log10))], box(700, 260)),
      (d) => [d.layers, ...d.stds.map((s) => s.map(Math.log10))]]);
    charts.push([new uPlot({width: 700, height: 240, scales: {x: {time: false}},
      series: [{}, ...d.losses.map(() => ({stroke: '#009E73'}))]},
      [d.epochs, ...d.losses.map((l) => l.map(Math.log10))], box(700, 240)),
      (d) => [d.epochs, ...d.losses.map((l) => l.map(Math.log10))]]);
    for (let k = 0; k < RUNS; k++) {
      const image = document.createElement('canvas');
      image.width = image.height = CELLS;
      images.push(image);
      charts.push([new uPlot({width: 340, height: 220, legend: {show: false},
        cursor: {show: false}, scales: {x: {time: false}},
        series: [{}, {paths: () => null, points: {show: true, size: 5, fill: '#222'}}],
        hooks: {drawClear: [(u) => u.ctx.drawImage(image, u.bbox.left, u.bbox.top,
                                                   u.bbox.width, u.bbox.height)]}},
        [d.px, d.py], box(340, 220)), (d) => [d.px, d.py]]);
    }
    return async (d) => {
      d.grid.forEach((g, k) => paint(images[k], g));
      for (const [chart, get] of charts) chart.setData(get(d));
      await frame();
    };
  },
  chartjs(d, heatmap) {
    Chart.defaults.animation = false;
    const charts = [], images = [];
    const canvas = (w, h) => {
      const c = document.createElement('canvas');
      box(w, h).append(c);
      return c;
    };
    for (let k = 0; k < N_HIST; k++) charts.push([new Chart(canvas(230, 110), {type: 'bar',
      data: {labels: d.centers, datasets: [{data: d.hists[k], barPercentage: 1,
        categoryPercentage: 1, backgroundColor: '#0072B2'}]},
      options: {responsive: true, plugins: {legend: {display: false}}}}),
      (c, d) => { c.data.datasets[0].data = d.hists[k]; }]);
    charts.push([new Chart(canvas(700, 260), {type: 'line', data: {labels: d.layers,
      datasets: d.stds.map((s) => ({data: s}))}, options: {scales: {y: {type: 'logarithmic'}}}}),
      (c, d) => d.stds.forEach((s, i) => { c.data.datasets[i].data = s; })]);
    charts.push([new Chart(canvas(700, 240), {type: 'line', data: {labels: d.epochs,
      datasets: d.losses.map((l) => ({data: l, pointRadius: 0}))},
      options: {scales: {y: {type: 'logarithmic'}}}}),
      (c, d) => d.losses.forEach((l, i) => { c.data.datasets[i].data = l; })]);
    for (let k = 0; k < RUNS; k++) {
      const image = document.createElement('canvas');
      image.width = image.height = CELLS;
      images.push(image);
      const cells = heatmap ? rnd(CELLS * CELLS, (i) => ({x: -1.5 + 3 * ((i % CELLS) + 0.5) / CELLS,
        y: 1.5 - 3 * (Math.floor(i / CELLS) + 0.5) / CELLS})) : [];
      const plugin = {id: 'classmap', beforeDatasetsDraw(chart) {
        if (heatmap) return;
        const {left, top, width, height} = chart.chartArea;
        chart.ctx.drawImage(image, left, top, width, height);
      }};
      const sets = [{data: d.px.map((x, i) => ({x, y: d.py[i]})), backgroundColor: '#222',
        pointRadius: 2.5}];
      if (heatmap) sets.push({data: cells, pointStyle: 'rect', pointRadius: 2.5,
        backgroundColor: d.grid[k].map((p) => (p >= 0.5 ? '#E69F00' : '#0072B2'))});
      charts.push([new Chart(canvas(340, 220), {type: 'scatter', data: {datasets: sets},
        options: {plugins: {legend: {display: false}}}, plugins: [plugin]}),
        (c, d) => { if (heatmap) c.data.datasets[1].backgroundColor =
          d.grid[k].map((p) => (p >= 0.5 ? '#E69F00' : '#0072B2')); }]);
    }
    return async (d) => {
      if (!heatmap) d.grid.forEach((g, k) => paint(images[k], g));
      for (const [chart, set] of charts) { set(chart, d); chart.update('none'); }
      await frame();
    };
  },
};

window.run = async (name, variant) => {
  document.getElementById('charts').textContent = '';
  const d0 = data(1);
  const t0 = performance.now();
  const heatmap = variant === 'heatmap';
  const redraw = name === 'uplot' ? builders.uplot(d0) : builders.chartjs(d0, heatmap);
  await frame();
  const build = performance.now() - t0;
  const times = [];
  for (let i = 0; i < 20; i++) {
    const d = data(i + 2);
    const t = performance.now();
    await redraw(d);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {build, redraw: times[10], best: times[0]};
};
</script>"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def fetch(work: Path) -> dict[str, Path]:
    files = {}
    for name, (version, member) in LIBRARIES.items():
        tarball, _ = vendor_js.npm_pack(name, version, work)
        with tarfile.open(tarball) as tar:
            data = tar.extractfile(member).read()
        target = work / ("uplot.js" if name == "uplot" else "chart.js")
        target.write_bytes(data)
        files[name] = target
    return files


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = fetch(work)
        (work / "index.html").write_text(PAGE, encoding="utf-8")
        handler = functools.partial(Quiet, directory=str(work))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
            runs = [("uplot", "image"), ("chartjs", "image"), ("chartjs", "heatmap")] * 3
            results: dict = {}
            for name, variant in runs:  # interleaved rounds: a busy moment hits all alike
                got = page.evaluate("([n, v]) => window.run(n, v)", [name, variant])
                results.setdefault((name, variant), []).append(got)
            browser.close()
        httpd.shutdown()
        for (name, variant), got in results.items():
            path = files["uplot" if name == "uplot" else "chart.js"]
            raw = path.read_bytes()
            best = min(got, key=lambda g: g["redraw"])
            rows.append(
                (
                    f"{name} ({variant} class map)",
                    len(raw) / 1000,
                    len(gzip.compress(raw, 9)) / 1000,
                    best["build"],
                    best["redraw"],
                )
            )
    print(f"{'library':34s} {'KB min':>7s} {'KB gz':>6s} {'build ms':>9s} {'redraw ms':>10s}")
    for name, size, gz, build, redraw in rows:
        print(f"{name:34s} {size:7.1f} {gz:6.1f} {build:9.1f} {redraw:10.1f}")
    print(json.dumps({"chart.js": CHARTJS, "uplot": vendor_js.PINS["uplot"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
