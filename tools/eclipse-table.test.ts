// The eclipse table's one command, end to end at its tiny size (a 30-node world, ten short runs):
// every sweep runs, and the table, the CSV and the charts come out of their run files.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

import { main, tableSweeps } from './eclipse-table.ts';

const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const haveData = existsSync(join(SHARED, 'reachable-nodes-2024-01-25.csv'));
if (!haveData) console.log(`eclipse-table.test: ${SHARED} lacks the crawl (reachable-nodes-2024-01-25.csv); the end-to-end test is skipped`);

describe('eclipse-table tool', () => {
  it('plans the full table as SCENARIOS.md states it', () => {
    const sweeps = tableSweeps('full', ['1', '2'], 'all');
    expect(sweeps.map((s) => s.name)).toEqual([
      'heilman-worst-botnet',
      'heilman-worst-infra',
      'heilman-live-botnet',
      'heilman-live-infra',
      'modern-botnet-asmap-seed-1',
      'modern-botnet-seed-1',
      'modern-infra-asmap-seed-1',
      'modern-infra-seed-1',
      'modern-botnet-asmap-seed-2',
      'modern-botnet-seed-2',
      'modern-infra-asmap-seed-2',
      'modern-infra-seed-2',
    ]);
    const worst = sweeps[0]!.args.join(' ');
    expect(worst).toContain('--profile core-v0.10 ');
    expect(worst).toContain('restarts=50');
    expect(worst).toContain('attackerAddresses=400,1000,2000,4600');
    expect(sweeps[1]!.args.join(' ')).toContain('groups=32 --param perGroup=256');
    const modern = `${sweeps[4]!.args.join(' ')} ${sweeps[5]!.args.join(' ')}`;
    for (const p of ['core-v0.10', 'core-v0.10.1', 'core-v0.14', 'core-v0.21', 'core-v26', 'core-master']) expect(modern).toContain(p);
    expect(sweeps[4]!.args.join(' ')).toContain('set.asmap=false,true');
    expect(sweeps[5]!.args.join(' ')).not.toContain('set.asmap');
  });

  (haveData ? it : it.skip)(
    'runs the tiny preset end to end and writes the table, the CSV and the charts',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'eclipse-table-'));
      try {
        const code = await main(['--size', 'tiny', '--out', out, '--workers', '2']);
        expect(code).toBe(0);
        const md = readFileSync(join(out, 'eclipse-table.md'), 'utf8');
        for (const section of ['### heilman-live · botnet', '### heilman-live · infrastructure', '### heilman-worst · botnet', '### heilman-worst · infrastructure', '### modern · botnet', '### modern · infrastructure']) {
          expect(md).toContain(section);
        }
        expect(md).toContain('## Crossings (reachable restarting victims)');
        const csv = readFileSync(join(out, 'eclipse-table.csv'), 'utf8').trim().split('\n');
        // 4 Heilman configurations (1 kind each) + 2 attackers × (core-master asmap off/on + core-v0.10) (4 kinds each).
        expect(csv.length).toBe(1 + 4 + 6 * 4);
        for (const line of csv.slice(1)) {
          const f = line.split(',');
          const samples = Number(f[8]);
          const p = Number(f[10]);
          expect(samples).toBeGreaterThan(0);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
        for (const chart of ['eclipse-modern-botnet', 'eclipse-modern-infrastructure', 'eclipse-heilman-worst-botnet']) {
          expect(readFileSync(join(out, 'charts', `${chart}.svg`), 'utf8')).toContain('<svg');
          const spec = JSON.parse(readFileSync(join(out, 'charts', `${chart}.vl.json`), 'utf8')) as { facet: { column: { field: string } } };
          expect(spec.facet.column.field).toBe('asmap');
        }
        expect(existsSync(join(out, 'modern-botnet-asmap-seed-1', 'report.html'))).toBe(true);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    // Ten short runs: well under a minute on an idle 2-core machine; the limit leaves room for a loaded one.
    1_800_000,
  );
});
