// Command-line values shared by run / inspect / replay: seeds, node counts, durations, input files
// with their SHA-256, and the trace file's commit / abort.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { TraceFile, checkDuration, checkNodes, checkRecordedInput, checkSeed, list, readRunInputs } from './run-inputs.ts';
import { CliError } from './user-error.ts';

const root = mkdtempSync(join(tmpdir(), 'connsim-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('option checks', () => {
  it('seeds: integers and words pass; empty, spaced, slashed, repeated or huge seeds fail', () => {
    expect(checkSeed('1')).toBe('1');
    expect(checkSeed('eclipse-run_3.b')).toBe('eclipse-run_3.b');
    for (const bad of ['', 'a b', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(129), ['1', '2']]) expect(() => checkSeed(bad), String(bad)).toThrow(CliError);
  });

  it('node counts and durations', () => {
    expect(checkNodes(undefined)).toBeUndefined();
    expect(checkNodes(12)).toBe(12);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => checkNodes(bad), String(bad)).toThrow(/--nodes/);
    expect(checkDuration('1h30m', 'duration')).toBe(5_400_000_000);
    expect(() => checkDuration('0s', 'duration')).toThrow(/longer than zero/);
    expect(checkDuration('0s', 'at', true)).toBe(0);
    expect(() => checkDuration('soon', 'at')).toThrow(/--at: /);
    expect(list(undefined)).toEqual([]);
    expect(list('a=1')).toEqual(['a=1']);
    expect(list(['a=1', 'b=2'])).toEqual(['a=1', 'b=2']);
  });
});

describe('input files', () => {
  it('reads a seed list with its sha256 and notices when it changes', () => {
    const p = join(root, 'nodes.txt');
    writeFileSync(p, '1.2.3.4:8333 # AS1\n');
    const inputs = readRunInputs({ seedList: p });
    expect(inputs.seedList!.file.sha256).toBe(createHash('sha256').update('1.2.3.4:8333 # AS1\n').digest('hex'));
    expect(checkRecordedInput(inputs.seedList!.file, 'seed list').length).toBe(19);
    writeFileSync(p, '1.2.3.5:8333 # AS1\n');
    expect(() => checkRecordedInput(inputs.seedList!.file, 'seed list')).toThrow(/has changed since the run/);
  });

  it('rejects a missing file, a directory, an empty or unparsable seed list and a corrupt asmap', () => {
    const empty = join(root, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    const junk = join(root, 'junk.asmap');
    writeFileSync(junk, Buffer.from([1, 2, 3]));
    expect(() => readRunInputs({ asmap: join(root, 'missing') })).toThrow(/does not exist/);
    expect(() => readRunInputs({ asmap: root })).toThrow(/is not a file/);
    expect(() => readRunInputs({ seedList: empty })).toThrow(/holds no addresses/);
    expect(() => readRunInputs({ asmap: junk })).toThrow(/not a valid asmap/);
  });
});

describe('TraceFile', () => {
  it('appears only on commit; abort leaves nothing', () => {
    const p = join(root, 'trace.jsonl');
    const t = new TraceFile(p);
    t.sink('{"a":1}');
    t.sink('{"a":2}');
    expect(existsSync(p)).toBe(false);
    t.commit();
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    const q = join(root, 'aborted.jsonl');
    const u = new TraceFile(q);
    u.sink('x');
    u.abort();
    expect(readdirSync(root).filter((f) => f.includes('aborted'))).toEqual([]);
    expect(() => new TraceFile(root)).toThrow(/is a directory/);
  });
});
