// report.html: self-contained and offline, identity and checks shown, and — opened in headless
// Chromium — every chart rendered with no console message at all. The browser test skips, saying
// why, when /usr/bin/chromium is absent (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { buildCharts } from '../reports/index.ts';
import { allFixtures, eclipseFixture } from '../reports/test-fixtures.ts';
import { normaliseSvgIds } from './render.ts';
import { buildReportHtml, escapeHtml, loadBrowserBundles } from './report-html.ts';
import { writeRunReports } from './run-dir.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
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

/** Open a page in headless Chromium; return the dumped DOM and Chromium's log. */
function openInChromium(page: string): { stdout: string; stderr: string; status: number | null; error?: Error } {
  const profile = mkdtempSync(join(root, 'chromium-profile-'));
  return spawnSync(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-extensions',
          `--user-data-dir=${profile}`,
          '--virtual-time-budget=10000',
          '--enable-logging=stderr',
          '--v=0',
          '--dump-dom',
          `file://${page}`,
        ],
        { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      );
}

describe.skipIf(!hasChromium)('report.html in headless Chromium', () => {
  it('detects a chart that fails to render (a negative control for the checks below)', () => {
    const result = eclipseFixture();
    const charts = buildCharts(result).slice(0, 2);
    // A spec vega-lite cannot compile: the page must count it as an error and log it.
    charts[1] = { ...charts[1]!, spec: { layer: 'not-a-layer' } };
    const page = join(root, 'broken.html');
    writeFileSync(page, buildReportHtml(result, charts, loadBrowserBundles()));
    const run = openInChromium(page);
    const dom = run.stdout.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
    expect(/<body([^>]*)>/.exec(dom)?.[1]).toContain('data-rendered="1"');
    expect(/<body([^>]*)>/.exec(dom)?.[1]).toContain('data-errors="1"');
    expect(run.stderr.split('\n').filter((l) => l.includes(':CONSOLE')).length).toBeGreaterThan(0);
  });

  for (const f of allFixtures()) {
    it(`renders every chart of the ${f.name} run with no console message`, async () => {
      const dir = join(root, f.name);
      await writeRunReports(dir, f.result);
      const n = buildCharts(f.result).length;
      const run = openInChromium(join(dir, 'report.html'));
      expect(run.error, String(run.error)).toBeUndefined();
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      // The rendered DOM without script text (the inlined libraries would match anything).
      const dom = run.stdout.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
      // The page's own bookkeeping, written once every vegaEmbed promise settled.
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
      expect(body).toContain('data-status="done"');
      expect(body).toContain(`data-rendered="${n}"`);
      expect(body).toContain('data-errors="0"');
      // Count what was drawn: one SVG with vega's marks inside each chart container.
      const drawn = [...dom.matchAll(/<div class="vis[^"]*" id="vis-([a-z0-9-]+)"[^>]*>[\s\S]*?<svg[\s\S]*?class="marks"/g)].length;
      expect(drawn).toBe(n);
      expect(/class="vis[^"]*render-error/.test(dom), 'a chart container reports a render error').toBe(false);
      // Any console output of the page (log, warning, error, uncaught exception) is a failure.
      const consoleLines = run.stderr.split('\n').filter((l) => l.includes(':CONSOLE'));
      expect(consoleLines).toEqual([]);
    });
  }
});
