// Test support: open a report page in headless Chromium (Debian's /usr/bin/chromium, which .ci/run
// installs) and read back what it drew. The page records its own bookkeeping on <body>
// (data-status, data-rendered, data-errors) once every chart settled; `pageOutcome` extracts it
// with the number of chart containers holding a drawn SVG and every console line Chromium logged.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface ChromiumRun {
  stdout: string;
  stderr: string;
  status: number | null;
  error?: Error;
}

/** Opens `page` (an absolute path) headless with a fresh profile under `scratch`; returns the dumped DOM and the log. */
export function openInChromium(page: string, scratch: string): ChromiumRun {
  const profile = mkdtempSync(join(scratch, 'chromium-profile-'));
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

export interface PageOutcome {
  /** The <body> attributes the page's script wrote. */
  body: string;
  /** Chart containers holding an SVG with vega's marks. */
  drawn: number;
  /** Some chart container is marked as a render error. */
  renderError: boolean;
  /** Every console line (log, warning, error, exception) the page produced. */
  consoleLines: string[];
}

export function pageOutcome(run: ChromiumRun): PageOutcome {
  // The rendered DOM without script text (the inlined libraries would match anything).
  const dom = run.stdout.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
  return {
    body: /<body([^>]*)>/.exec(dom)?.[1] ?? '',
    drawn: [...dom.matchAll(/<div class="vis[^"]*" id="vis-([a-z0-9-]+)"[^>]*>[\s\S]*?<svg[\s\S]*?class="marks"/g)].length,
    renderError: /class="vis[^"]*render-error/.test(dom),
    consoleLines: run.stderr.split('\n').filter((l) => l.includes(':CONSOLE')),
  };
}
