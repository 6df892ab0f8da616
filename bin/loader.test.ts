// bin/loader.mjs and bin/ts-hooks.mjs: this checkout's TypeScript compiles as tsx compiles it,
// minus keepNames' naming calls, and the launcher still runs a scenario file from elsewhere that
// imports 'connsim' (the same digest as the same file run through tsx alone).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { compile } from './ts-hooks.mjs';

const ROOT = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'connsim-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ts-hooks compile', () => {
  it("is tsx's compilation without the naming calls", () => {
    const file = join(ROOT, 'connman', 'net', 'open-connections.ts');
    const ours = compile(file) as string;
    expect(ours).not.toMatch(/__name\(/);
    // The same options with keepNames are what tsx produces: the naming calls are the only difference.
    // tsx's options (tsx 4 passes these, with keepNames on) give the naming calls; the same options
    // with keepNames off give exactly our output.
    const build = (keepNames: boolean) =>
      transformSync(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        sourcemap: 'inline',
        minifyWhitespace: true,
        keepNames,
        tsconfigRaw: readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'),
        sourcefile: file,
      }).code;
    expect(build(true)).toMatch(/__name\(selectAddress,"selectAddress"\)/);
    expect(ours).toBe(build(false));
  });
});

describe('the launcher', () => {
  it("runs a scenario file from another directory that imports 'connsim', with tsx's digest", () => {
    const file = join(scratch, 'mine.ts');
    writeFileSync(
      file,
      [
        "import { defineScenario } from 'connsim/scenarios';",
        'export default defineScenario({',
        "  name: 'loader-probe', summary: 'loader test', threatModel: 'None.',",
        "  defaults: { nodes: 4, duration: '2m', sampleInterval: '1m' }, params: {},",
        '  *script(s) { yield s.wait(60_000_000); },',
        '});',
      ].join('\n'),
    );
    const viaLauncher = spawnSync(process.execPath, [join(ROOT, 'bin', 'connsim.js'), 'run', file, '--out', join(scratch, 'a'), '--quiet'], { encoding: 'utf8', cwd: scratch });
    expect(viaLauncher.stderr).toBe('');
    expect(viaLauncher.status).toBe(0);
    const viaTsx = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'cli.ts'), 'run', file, '--out', join(scratch, 'b'), '--quiet'], { encoding: 'utf8', cwd: scratch });
    expect(viaTsx.status).toBe(0);
    const digest = (dir: string) => (JSON.parse(readFileSync(join(scratch, dir, 'summary.json'), 'utf8')) as { digest: string }).digest;
    expect(digest('a')).toMatch(/^[0-9a-f]{16}$/);
    expect(digest('a')).toBe(digest('b'));
  });
});
