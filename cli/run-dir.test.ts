// Writing run directories: the file layout, byte-identical output for the same RunResult, the
// atomic replace (foreign files kept, a failure leaves the old directory untouched), and
// `connsim report` re-rendering from result.json.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { RUN_RESULT_FILE_NAME, RUN_RESULT_FORMAT_VERSION, buildCharts, chartDataCsv, stableStringify, type RunResult } from '../reports/index.ts';
import { eclipseFixture, emptyFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { ReportCommandError, reportCommand } from './report-command.ts';
import { writeRunReports } from './run-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'connsim-run-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under dir, relative, sorted, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else out.set(r, readFileSync(p));
    }
  };
  walk(dir, '');
  return out;
}

const eclipse = eclipseFixture();

describe('writeRunReports', () => {
  it('writes result.json, charts/*.vl.json and *.svg, data/*.csv and report.html', async () => {
    const dir = join(root, 'runs', 'eclipse-a');
    await writeRunReports(dir, eclipse);
    const files = tree(dir);
    const charts = buildCharts(eclipse);
    const expected = [
      RUN_RESULT_FILE_NAME,
      'report.html',
      ...charts.flatMap((c) => [`charts/${c.name}.svg`, `charts/${c.name}.vl.json`]),
      ...chartDataCsv(eclipse).map((c) => `data/${c.name}.csv`),
    ].sort();
    expect([...files.keys()].sort()).toEqual(expected);
    const spec = files.get(`charts/${charts[0]!.name}.vl.json`)!.toString('utf8');
    expect(spec).toBe(stableStringify(charts[0]!.spec));
    expect(spec.startsWith('{\n  "$schema": ')).toBe(true);
    expect(JSON.parse(files.get(RUN_RESULT_FILE_NAME)!.toString('utf8'))).toEqual(eclipse);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    // No temp sibling is left behind.
    expect(readdirSync(join(root, 'runs')).sort()).toEqual(['eclipse-a']);
  });

  it('gives byte-identical files for the same RunResult', async () => {
    const a = join(root, 'same-a');
    const b = join(root, 'same-b');
    await writeRunReports(a, eclipse);
    await writeRunReports(b, eclipseFixture());
    const ta = tree(a);
    const tb = tree(b);
    expect([...tb.keys()]).toEqual([...ta.keys()]);
    for (const [k, v] of ta) expect(tb.get(k)!.equals(v), k).toBe(true);
  });

  it('replaces what it writes in an existing run directory, leaving files it did not write untouched', async () => {
    const dir = join(root, 'replace');
    await writeRunReports(dir, eclipse);
    writeFileSync(join(dir, 'trace.jsonl'), '{"t":1}\n');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'run.log'), 'hello\n');
    writeFileSync(join(dir, 'charts', 'stale-chart.svg'), '<svg/>');
    const inode = (p: string) => statSync(p).ino;
    const before = { dir: inode(dir), trace: inode(join(dir, 'trace.jsonl')), logs: inode(join(dir, 'logs')) };
    await writeRunReports(dir, emptyFixture());
    const files = tree(dir);
    // The same directory and the same files, in place: nothing moved, copied or hard-linked.
    expect({ dir: inode(dir), trace: inode(join(dir, 'trace.jsonl')), logs: inode(join(dir, 'logs')) }).toEqual(before);
    expect(statSync(join(dir, 'trace.jsonl')).nlink).toBe(1);
    expect(files.get('trace.jsonl')!.toString()).toBe('{"t":1}\n');
    expect(files.get('logs/run.log')!.toString()).toBe('hello\n');
    expect(files.has('charts/stale-chart.svg')).toBe(false);
    expect(JSON.parse(files.get(RUN_RESULT_FILE_NAME)!.toString()).identity.scenario).toBe('empty');
  });

  it('leaves the old directory untouched and no temp sibling when writing fails', async () => {
    const parent = join(root, 'failing');
    const dir = join(parent, 'run');
    await writeRunReports(dir, emptyFixture());
    const before = tree(dir);
    const broken = { ...eclipse, series: { ...eclipse.series, network: null } } as unknown as RunResult;
    await expect(writeRunReports(dir, broken)).rejects.toThrow();
    const after = tree(dir);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(after.get(k)?.equals(v), `${k} kept byte for byte`).toBe(true);
    expect(readdirSync(parent)).toEqual(['run']);
  });
});

describe('publishRunDir extraFiles', () => {
  it('publishes extra top-level files in the same swap, replacing old copies', async () => {
    const dir = join(root, 'extras');
    await writeRunReports(dir, emptyFixture(), [{ name: 'summary.json', content: '{"a":1}\n' }, { name: 'timing.json', content: '{}\n' }]);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe('{"a":1}\n');
    await writeRunReports(dir, emptyFixture(), [{ name: 'summary.json', content: '{"a":2}\n' }]);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe('{"a":2}\n');
    // A file of the previous run that this publish does not write is carried over like any foreign file.
    expect(existsSync(join(dir, 'timing.json'))).toBe(true);
  });

  it('refuses names with a directory part or that the reports own, leaving nothing behind', async () => {
    const parent = join(root, 'bad-extras');
    for (const name of ['../x.json', 'a/b.json', 'report.html', '.hidden', '']) {
      await expect(writeRunReports(join(parent, 'run'), emptyFixture(), [{ name, content: '' }])).rejects.toThrow(/not allowed/);
    }
    // Not even the parent directory is created.
    expect(existsSync(parent)).toBe(false);
  });
});

describe('reportCommand', () => {
  it('re-renders charts/, data/ and report.html from result.json, keeping result.json byte for byte', async () => {
    const dir = join(root, 'report-cmd');
    await writeRunReports(dir, eclipse);
    // data/connections.csv is written by the run alone (streamed while it lasts): the reports do
    // not rebuild it, so re-rendering must keep it byte for byte.
    writeFileSync(join(dir, 'data', 'connections.csv'), 'openMicros,closeMicros\r\n1,2\r\n');
    const before = tree(dir);
    expect(before.has('data/connections.csv')).toBe(true);
    // A hand-formatted result.json (compact) must survive as written.
    const compact = JSON.stringify(eclipse);
    writeFileSync(join(dir, RUN_RESULT_FILE_NAME), compact);
    rmSync(join(dir, 'charts'), { recursive: true });
    const summary = await reportCommand(dir);
    expect(summary.charts).toEqual(buildCharts(eclipse).map((c) => c.name));
    expect(summary.chartsWithoutData).toEqual([]);
    expect(summary.warnings).toEqual([]);
    expect(summary.checksFailed).toBe(1);
    const after = tree(dir);
    expect(after.get(RUN_RESULT_FILE_NAME)!.toString()).toBe(compact);
    for (const [k, v] of before) if (k !== RUN_RESULT_FILE_NAME) expect(after.get(k)?.equals(v), `${k} kept byte for byte`).toBe(true);
  });

  it('rejects a missing directory, a missing or invalid result.json with a user error', async () => {
    await expect(reportCommand(join(root, 'nope'))).rejects.toThrow(ReportCommandError);
    const dir = join(root, 'bad');
    mkdirSync(dir);
    await expect(reportCommand(dir)).rejects.toThrow(/result\.json' is missing/);
    writeFileSync(join(dir, RUN_RESULT_FILE_NAME), '{ not json');
    await expect(reportCommand(dir)).rejects.toThrow(/not valid JSON/);
    // A result.json of another format (an older connsim's, say) is refused by its version.
    writeFileSync(join(dir, RUN_RESULT_FILE_NAME), JSON.stringify({ formatVersion: RUN_RESULT_FORMAT_VERSION - 1 }));
    await expect(reportCommand(dir)).rejects.toThrow(new RegExp(`formatVersion is ${RUN_RESULT_FORMAT_VERSION - 1}, this connsim reads ${RUN_RESULT_FORMAT_VERSION}`));
    expect(existsSync(join(dir, 'charts'))).toBe(false);
  });
});
