// report.html: one self-contained, offline page for a run — its identity, a summary table of the
// scenario's checks, and every chart grouped by family, drawn in the browser by vega-embed from the
// same specs as charts/*.vl.json. The vega, vega-lite and vega-embed browser builds are inlined
// from node_modules, so the page needs no network.
//
// buildReportHtml is pure given the bundles; loadBrowserBundles reads them. Writing the page is
// run-dir.ts's job.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { CHART_FAMILIES, familyNotes, type Chart, type RunResult } from '../reports/index.ts';
import { formatDuration } from '../sim/index.ts';

/** The three browser builds, as script text, and vega's version from its package.json. */
export interface BrowserBundles {
  vega: string;
  vegaVersion: string;
  vegaLite: string;
  vegaEmbed: string;
}

let cachedBundles: BrowserBundles | undefined;

/** Read the minified browser builds of vega, vega-lite and vega-embed from node_modules (cached). */
export function loadBrowserBundles(): BrowserBundles {
  if (cachedBundles) return cachedBundles;
  const require = createRequire(import.meta.url);
  // Each package's main entry sits in its build/ folder, next to the minified UMD build.
  const read = (pkg: string, file: string) => readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
  const vegaPackage = JSON.parse(read('vega', '../package.json')) as { version: string };
  cachedBundles = {
    vega: read('vega', 'vega.min.js'),
    vegaVersion: vegaPackage.version,
    vegaLite: read('vega-lite', 'vega-lite.min.js'),
    vegaEmbed: read('vega-embed', 'vega-embed.min.js'),
  };
  return cachedBundles;
}

/** HTML text escaping for element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Script text safe inside <script>: no "</script" or "<!--" can end or confuse the element, and
 * the source-map comment is dropped (a browser with devtools open would try to fetch the map).
 */
function inlineScript(code: string): string {
  return code
    .replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n')
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--');
}

/** JSON inside <script type="application/json">: '<' written as \u003c so no tag can close it. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A parameter's value as --param takes it: a duration as "30m" or "2h30m", anything else as is. */
export function paramText(value: string | number | boolean | null, type: string | undefined): string {
  return type === 'duration' && typeof value === 'number' ? formatDuration(value) : String(value);
}

function durationText(micros: number): string {
  const s = micros / 1e6;
  if (s >= 3600) return `${(s / 3600).toFixed(2).replace(/\.?0+$/, '')} h`;
  if (s >= 60) return `${(s / 60).toFixed(2).replace(/\.?0+$/, '')} min`;
  return `${s} s`;
}

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1000px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { text-align: left; vertical-align: top; padding: 3px 12px 3px 0; border-bottom: 1px solid #eee; }
th { font-weight: 600; color: #555; }
code { font: 12px/1.4 Menlo, Consolas, monospace; background: #f4f4f4; padding: 1px 4px; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: #c62828; font-weight: 600; }
nav a { margin-right: 14px; }
figure.chart { margin: 16px 0 28px; }
.family-note { color: #333; max-width: 860px; }
figure.chart figcaption { font-size: 12px; color: #666; }
figure.chart figcaption a { color: #666; margin-right: 10px; }
.render-error { color: #c62828; font-family: monospace; white-space: pre-wrap; }
`;

/**
 * vega 6.3.0's build still says version "5.33.1", so vega-embed, which compares the Vega version a
 * spec was compiled for with the one loaded, would warn on every chart. Set the version the
 * package really has before vega-embed loads (it reads it once, at load).
 */
function vegaVersionFix(version: string): string {
  return `vega.version = ${JSON.stringify(version)};`;
}

/** The page's script: render every spec, then record the outcome on <body> for tests and humans. */
export const RENDER_SCRIPT = `
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); document.body.setAttribute('data-errors', String(errors.length)); });
  var specs = JSON.parse(document.getElementById('connsim-specs').textContent);
  var rendered = 0;
  var jobs = specs.map(function (c) {
    var el = document.getElementById('vis-' + c.name);
    return vegaEmbed(el, c.spec, { renderer: 'svg', actions: false }).then(function () {
      rendered += 1;
    }, function (err) {
      errors.push(c.name + ': ' + String(err && err.message || err));
      el.className += ' render-error';
      el.textContent = 'This chart failed to render: ' + String(err && err.message || err);
      console.error('connsim: chart ' + c.name + ' failed: ' + String(err && err.message || err));
    });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute('data-rendered', String(rendered));
    document.body.setAttribute('data-errors', String(errors.length));
    document.body.setAttribute('data-status', 'done');
  });
})();
`;

/** One chart's figure: the container vega-embed draws into, and links to its SVG and spec under `dir`. */
export function chartFigure(name: string, dir: string): string {
  return (
    `<figure class="chart" id="chart-${name}"><div class="vis" id="vis-${name}"></div>` +
    `<figcaption><a href="${dir}/${name}.svg">SVG</a><a href="${dir}/${name}.vl.json">Vega-Lite spec</a></figcaption></figure>`
  );
}

/** The page's doctype and <head>: title, style and the inlined vega, vega-lite and vega-embed builds. */
export function pageHead(title: string, bundles: BrowserBundles): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
<script>${inlineScript(bundles.vega)}</script>
<script>${vegaVersionFix(bundles.vegaVersion)}</script>
<script>${inlineScript(bundles.vegaLite)}</script>
<script>${inlineScript(bundles.vegaEmbed)}</script>
</head>`;
}

/** The whole page. Deterministic: the same result, charts and bundles give the same bytes. */
export function buildReportHtml(result: RunResult, charts: readonly Chart[], bundles: BrowserBundles): string {
  const id = result.identity;
  const title = `connsim report — ${id.scenario}, seed ${id.seed}, profile ${id.profile}`;
  const rows: [string, string][] = [
    ['scenario', id.scenario],
    ['seed', id.seed],
    ['profile', id.profile],
    ['simulated duration', durationText(id.durationMicros)],
    ['sample interval', durationText(id.sampleIntervalMicros)],
    ['honest / attacker nodes', `${id.honestNodes} / ${id.attackerNodes}`],
    ['victims', id.victimIds.length === 0 ? 'none' : id.victimIds.join(', ')],
    ['attack start', id.attackStartMicros > 0 ? durationText(id.attackStartMicros) : 'at start / none'],
    ['events processed', String(id.eventsProcessed)],
    ['trace digest', id.traceDigest],
    ['code version', id.codeVersion],
    ...(id.nodeVersion !== undefined ? [['node', id.nodeVersion] as [string, string]] : []),
    ...(id.command !== undefined ? [['command', id.command] as [string, string]] : []),
  ];
  const identity = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  const params =
    id.params.length === 0
      ? '<p>No parameters.</p>'
      : `<table><tr><th>parameter</th><th>value</th></tr>\n${id.params
          .map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(paramText(p.value, p.type))}</td></tr>`)
          .join('\n')}</table>`;
  const world =
    id.world === undefined
      ? ''
      : `<table><tr><th>world setting</th><th>value</th></tr>\n${Object.entries(id.world)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => `<tr><td><code>${escapeHtml(k)}</code></td><td>${escapeHtml(v)}</td></tr>`)
          .join('\n')}</table>`;
  const inputs =
    id.inputs === undefined || id.inputs.length === 0
      ? ''
      : `<table><tr><th>input file</th><th>path</th><th>sha256</th></tr>\n${id.inputs
          .map((f) => `<tr><td>${escapeHtml(f.kind)}</td><td><code>${escapeHtml(f.path)}</code></td><td><code>${escapeHtml(f.sha256)}</code></td></tr>`)
          .join('\n')}</table>`;
  const metrics =
    id.metrics === undefined || id.metrics.length === 0
      ? ''
      : `<section id="metrics"><h2>Metrics</h2>\n<table><tr><th>metric</th><th>value</th><th>kind</th><th>meaning</th></tr>\n${id.metrics
          .map(
            (m) =>
              `<tr><td><code>${escapeHtml(m.name)}</code></td><td>${escapeHtml(Number.isInteger(m.value) ? String(m.value) : m.value.toPrecision(4))}</td><td>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.description)}</td></tr>`,
          )
          .join('\n')}</table>\n</section>`;
  const passed = result.checks.filter((c) => c.passed).length;
  const checks =
    result.checks.length === 0
      ? '<p>This scenario declares no checks.</p>'
      : `<p>${passed} of ${result.checks.length} checks passed.</p>\n<table><tr><th>check</th><th>result</th><th>detail</th></tr>\n${result.checks
          .map(
            (c) =>
              `<tr><td>${escapeHtml(c.name)}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'FAIL'}</td><td>${escapeHtml(c.detail)}</td></tr>`,
          )
          .join('\n')}</table>`;
  const families = CHART_FAMILIES.filter((f) => charts.some((c) => c.family === f.family));
  const nav = families.map((f) => `<a href="#family-${f.family}">${escapeHtml(f.title)}</a>`).join('\n');
  const notes = familyNotes(result);
  const sections = families
    .map((f) => {
      const note = notes[f.family];
      const figs = charts
        .filter((c) => c.family === f.family)
        .map((c) => chartFigure(c.name, 'charts'))
        .join('\n');
      return `<section id="family-${f.family}"><h2>${escapeHtml(f.title)}</h2>\n${note !== undefined ? `<p class="family-note">${escapeHtml(note)}</p>\n` : ''}${figs}\n</section>`;
    })
    .join('\n');
  const specs = charts.map((c) => ({ name: c.name, spec: c.spec }));
  return `${pageHead(title, bundles)}
<body data-charts="${charts.length}">
<header>
<h1>${escapeHtml(`connsim run: ${id.scenario}`)}</h1>
<p>Reproduce with <code>${escapeHtml(id.reproduce)}</code></p>
</header>
<section id="identity"><h2>Run</h2>
<table>
${identity}
</table>
${params}
${world}
${inputs}
</section>
<section id="checks"><h2>Checks</h2>
${checks}
</section>
${metrics}
<nav>${nav}</nav>
${sections}
<p>Data behind the charts: the CSV files in <code>data/</code>; the whole run: <code>result.json</code>.</p>
<script type="application/json" id="connsim-specs">${inlineJson(specs)}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}
