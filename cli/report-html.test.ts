// report.html: self-contained and offline, identity and checks shown, and — opened in headless
// Chromium — every chart rendered with no console message at all. The browser test skips, saying
// why, when /usr/bin/chromium is absent (.ci/run installs it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { buildCharts } from '../reports/index.ts';
import { allFixtures, eclipseFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { CHROMIUM, hasChromium, openInChromium, pageOutcome } from './chromium.ts';
import { normaliseSvgIds } from './render.ts';
import { buildReportHtml, escapeHtml, loadBrowserBundles } from './report-html.ts';
import { writeRunReports } from './run-dir.ts';

if (!hasChromium) console.warn(`report-html.test: skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);

const root = mkdtempSync(join(tmpdir(), 'connsim-report-html-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('buildReportHtml', () => {
  const result = eclipseFixture();
  const charts = buildCharts(result);
  const html = buildReportHtml(result, charts, loadBrowserBundles());

  it('is one offline page: scripts inlined, nothing loaded from elsewhere', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // The page's own markup, the inlined script text left out (the libraries' strings mention <img>).
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(markup).not.toMatch(/<link\b/i);
    expect(markup).not.toMatch(/<img\b/i);
    expect(markup).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//i);
    expect(html).not.toContain('sourceMappingURL');
    // The three libraries, inlined.
    expect(html).toContain('vegaEmbed');
    expect((html.match(/<script>/g) ?? []).length).toBe(5);
  });

  it('shows the identity, the reproduce command and every check with its outcome, escaped', () => {
    const id = result.identity;
    for (const s of [id.scenario, id.seed, id.profile, id.traceDigest, id.codeVersion]) expect(html).toContain(escapeHtml(s));
    expect(html).toContain(escapeHtml(id.reproduce));
    expect(html).toContain('2 of 3 checks passed.');
    expect(html).toContain('diversity kept, with &lt;markup&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<markup>');
    expect((html.match(/class="fail"/g) ?? []).length).toBe(1);
  });

  it('groups every chart under its family, each with a container and links to its files', () => {
    for (const c of charts) {
      expect(html).toContain(`<div class="vis" id="vis-${c.name}"></div>`);
      expect(html).toContain(`href="charts/${c.name}.svg"`);
    }
    expect(html.indexOf('id="family-eclipse"')).toBeLessThan(html.indexOf('id="family-diversity"'));
    expect(html.indexOf('id="family-timeouts"')).toBeLessThan(html.indexOf('id="family-churn"'));
  });

  it("says what its disconnect section shows, and says plainly when a run has no inactivity timeout", () => {
    const section = html.slice(html.indexOf('id="family-timeouts"'), html.indexOf('id="family-churn"'));
    expect(section).toContain('<h2>Disconnects and inactivity timeouts</h2>');
    expect(section).toMatch(/Inactivity timeouts: [\d,]+ \(/);
    expect(section).toContain('socket-closed');
    expect(section).toContain('the peer closed the connection');
    // A run whose disconnects are all the peers' doing (the default eclipse run's botnet churn).
    const quiet = eclipseFixture();
    quiet.events.disconnects = quiet.events.disconnects.map((b) => ({ ...b, reason: 'socket-closed' }));
    quiet.events.timeToDisconnect = [{ reason: 'socket-closed', count: 40, attackerPeers: 40, quantilesMicros: Array.from({ length: 101 }, (_, i) => 1e6 + i * 1e4) }];
    const quietCharts = buildCharts(quiet);
    const page = buildReportHtml(quiet, quietCharts, loadBrowserBundles());
    const quietSection = page.slice(page.indexOf('id="family-timeouts"'), page.indexOf('id="family-churn"'));
    expect(quietSection).toContain("No inactivity timeout in this run: Core&#39;s InactivityCheck and ping timeout dropped no connection.");
    expect(quietSection).toContain('socket-closed 40 (the peer closed the connection, all with the attacker)');
    const inactivity = quietCharts.find((c) => c.name === 'timeouts-inactivity-over-time')!;
    expect(inactivity.hasData).toBe(false);
    expect(JSON.stringify(inactivity.spec)).toContain('No data: no inactivity timeout in this run');
  });

  it('shows duration parameters as durations (as --param takes them), not raw microseconds', () => {
    const r = eclipseFixture();
    r.identity.params = [
      { name: 'attackAt', value: 1_800_000_000, type: 'duration' },
      { name: 'downtime', value: 90_000_000, type: 'duration' },
      { name: 'victims', value: 3, type: 'integer' },
    ];
    const page = buildReportHtml(r, charts, loadBrowserBundles());
    expect(page).toContain('<tr><td><code>attackAt</code></td><td>30m</td></tr>');
    expect(page).toContain('<tr><td><code>downtime</code></td><td>1m30s</td></tr>');
    expect(page).toContain('<tr><td><code>victims</code></td><td>3</td></tr>');
    expect(page).not.toContain('1800000000');
  });

  it('shows the world settings, the input files and the metrics with their kinds and meanings', () => {
    const r = eclipseFixture();
    r.identity.world = { natShare: '0.76', blocks: 'true' };
    r.identity.inputs = [{ kind: 'population', path: 'crawl.csv', sha256: 'ab'.repeat(32) }];
    r.identity.metrics = [{ name: 'addrRatePerPeer', value: 0.022777, kind: 'rate', description: 'addresses <per> second' }];
    const page = buildReportHtml(r, charts, loadBrowserBundles());
    // Sorted by key.
    expect(page).toContain('<tr><td><code>blocks</code></td><td>true</td></tr>\n<tr><td><code>natShare</code></td><td>0.76</td></tr>');
    expect(page).toContain(`<tr><td>population</td><td><code>crawl.csv</code></td><td><code>${'ab'.repeat(32)}</code></td></tr>`);
    expect(page).toContain('<tr><td><code>addrRatePerPeer</code></td><td>0.02278</td><td>rate</td><td>addresses &lt;per&gt; second</td></tr>');
    // A result without them (older files) shows neither table.
    expect(html).not.toContain('world setting');
    expect(html).not.toContain('<section id="metrics">');
  });

  it('is deterministic', () => {
    expect(buildReportHtml(eclipseFixture(), buildCharts(eclipseFixture()), loadBrowserBundles()) === html).toBe(true);
  });
});

describe('normaliseSvgIds', () => {
  it('renumbers clip ids by first appearance', () => {
    expect(normaliseSvgIds('<clipPath id="clip7"/><g clip-path="url(#clip7)"/><clipPath id="clip9"/> eclipse3')).toBe(
      '<clipPath id="clip1"/><g clip-path="url(#clip1)"/><clipPath id="clip2"/> eclipse3',
    );
  });
});

describe.skipIf(!hasChromium)('report.html in headless Chromium', () => {
  it('detects a chart that fails to render (a negative control for the checks below)', () => {
    const result = eclipseFixture();
    const charts = buildCharts(result).slice(0, 2);
    // A spec vega-lite cannot compile: the page must count it as an error and log it.
    charts[1] = { ...charts[1]!, spec: { layer: 'not-a-layer' } };
    const page = join(root, 'broken.html');
    writeFileSync(page, buildReportHtml(result, charts, loadBrowserBundles()));
    const page_ = pageOutcome(openInChromium(page, root));
    expect(page_.body).toContain('data-rendered="1"');
    expect(page_.body).toContain('data-errors="1"');
    expect(page_.consoleLines.length).toBeGreaterThan(0);
  });

  for (const f of allFixtures()) {
    it(`renders every chart of the ${f.name} run with no console message`, async () => {
      const dir = join(root, f.name);
      await writeRunReports(dir, f.result);
      const n = buildCharts(f.result).length;
      const run = openInChromium(join(dir, 'report.html'), root);
      expect(run.error, String(run.error)).toBeUndefined();
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const page = pageOutcome(run);
      // The page's own bookkeeping, written once every vegaEmbed promise settled.
      expect(page.body).toContain('data-status="done"');
      expect(page.body).toContain(`data-rendered="${n}"`);
      expect(page.body).toContain('data-errors="0"');
      // One SVG with vega's marks inside each chart container.
      expect(page.drawn).toBe(n);
      expect(page.renderError, 'a chart container reports a render error').toBe(false);
      // Any console output of the page (log, warning, error, uncaught exception) is a failure.
      expect(page.consoleLines).toEqual([]);
    });
  }
});
