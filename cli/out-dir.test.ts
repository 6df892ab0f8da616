// Output safety: which directories connsim refuses to write, how it recognises its own, the
// staging directory as a lock, and publishing that never touches a file connsim did not write.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { StagedRunDir, checkOutputDir, inspectOutput, stagingName } from './out-dir.ts';
import { CliError } from './user-error.ts';

const root = mkdtempSync(join(tmpdir(), 'connsim-out-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function fresh(): string {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
}

function refused(f: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected a refusal matching ${pattern}`).toBeInstanceOf(CliError);
  expect((err as Error).message).toMatch(pattern);
}

function runDir(dir: string, scenario: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ format: 1, scenario, seed: '1', digest: 'abc', reproduce: 'connsim run x' }));
}

describe("checkOutputDir refuses locations that are not connsim's own", () => {
  it('an empty path, the current directory and every directory above it, the home directory, a root', () => {
    const cwd = join(fresh(), 'project', 'sub');
    mkdirSync(cwd, { recursive: true });
    const home = dirname(dirname(cwd));
    const opts = { cwd, home };
    refused(() => checkOutputDir('', 'run', opts), /--out is empty/);
    refused(() => checkOutputDir('   ', 'sweep', opts), /--out is empty/);
    refused(() => checkOutputDir(cwd, 'run', opts), /current directory or one above it/);
    refused(() => checkOutputDir(dirname(cwd), 'run', opts), /current directory or one above it/);
    refused(() => checkOutputDir(`${cwd}/..`, 'sweep', opts), /current directory or one above it/);
    refused(() => checkOutputDir(home, 'run', { cwd: tmpdir(), home }), /home directory/);
    refused(() => checkOutputDir('/', 'run', opts), /file-system root/);
    // A directory below the working directory is fine.
    expect(checkOutputDir(join(cwd, 'runs', 'a'), 'run', opts).state).toEqual({ kind: 'absent' });
  });

  it('a file, a path below a file, and a directory holding files that are not a connsim output', () => {
    const d = fresh();
    writeFileSync(join(d, 'file'), 'x');
    refused(() => checkOutputDir(join(d, 'file'), 'run'), /exists and is not a directory/);
    refused(() => checkOutputDir(join(d, 'file', 'below', 'run'), 'run'), /lies below .*file', which is a file/);
    const mine = join(d, 'my-files');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.tex'), 'precious');
    refused(() => checkOutputDir(mine, 'run'), /not a connsim output directory; connsim never writes into it/);
    refused(() => checkOutputDir(mine, 'sweep'), /not a connsim output directory/);
    // A summary.json that is not connsim's does not make a run directory.
    writeFileSync(join(mine, 'summary.json'), '{"title": "my summary"}');
    refused(() => checkOutputDir(mine, 'run'), /not a connsim output directory/);
  });

  it('the other kind of output directory, and a run directory of another scenario', () => {
    const d = fresh();
    runDir(join(d, 'run'), 'eclipse-botnet');
    refused(() => checkOutputDir(join(d, 'run'), 'sweep'), /is a connsim run directory, not a sweep directory/);
    refused(() => checkOutputDir(join(d, 'run'), 'run', { scenario: 'baseline' }), /holds a run of scenario 'eclipse-botnet', not 'baseline'/);
    expect(checkOutputDir(join(d, 'run'), 'run', { scenario: 'eclipse-botnet' }).state).toEqual({ kind: 'run', scenario: 'eclipse-botnet' });
    mkdirSync(join(d, 'sweep'));
    writeFileSync(join(d, 'sweep', 'sweep.json'), JSON.stringify({ scenario: 'baseline', runs: [] }));
    refused(() => checkOutputDir(join(d, 'sweep'), 'run'), /is a connsim sweep directory, not a run directory/);
    expect(checkOutputDir(join(d, 'sweep'), 'sweep').state).toEqual({ kind: 'sweep', scenario: 'baseline' });
    // An empty directory is fine for either kind.
    mkdirSync(join(d, 'empty'));
    expect(inspectOutput(join(d, 'empty'), 'empty')).toEqual({ kind: 'empty' });
  });

  it('`report` may name the current directory when it is a run directory', () => {
    const d = join(fresh(), 'run');
    runDir(d, 'baseline');
    expect(checkOutputDir(d, 'run', { mustExist: true, cwd: d }).path).toBe(d);
    refused(() => checkOutputDir(join(d, 'nope'), 'run', { mustExist: true }), /does not exist/);
  });
});

describe('StagedRunDir', () => {
  it('builds beside the target, publishes a new directory whole, and leaves nothing behind', () => {
    const d = fresh();
    const target = join(d, 'deep', 'er', 'run');
    const staged = StagedRunDir.acquire(target, target);
    expect(existsSync(join(d, 'deep', 'er', stagingName(target)))).toBe(true);
    writeFileSync(join(staged.dir, 'summary.json'), '{}');
    expect(staged.publish()).toBe(target);
    expect(readdirSync(join(d, 'deep', 'er'))).toEqual(['run']);
    expect(readFileSync(join(target, 'summary.json'), 'utf8')).toBe('{}');
  });

  it('discard removes the staging directory and the parents it created, nothing else', () => {
    const d = fresh();
    writeFileSync(join(d, 'keep'), 'x');
    const staged = StagedRunDir.acquire(join(d, 'a', 'b', 'run'), 'run');
    writeFileSync(join(staged.dir, 'result.json'), '{}');
    staged.discard();
    expect(readdirSync(d)).toEqual(['keep']);
  });

  it('in an existing run directory, swaps only the entries it writes; foreign files keep their inode', () => {
    const target = join(fresh(), 'run');
    runDir(target, 's');
    mkdirSync(join(target, 'charts'));
    writeFileSync(join(target, 'charts', 'old.svg'), 'old');
    writeFileSync(join(target, 'notes.txt'), 'mine');
    const ino = statSync(join(target, 'notes.txt')).ino;
    const dirIno = statSync(target).ino;
    const staged = StagedRunDir.acquire(target, target);
    mkdirSync(join(staged.dir, 'charts'));
    writeFileSync(join(staged.dir, 'charts', 'new.svg'), 'new');
    writeFileSync(join(staged.dir, 'summary.json'), '{"new":true}');
    staged.publish();
    expect(readdirSync(target).sort()).toEqual(['charts', 'notes.txt', 'summary.json']);
    expect(readdirSync(join(target, 'charts'))).toEqual(['new.svg']);
    expect(statSync(join(target, 'notes.txt')).ino).toBe(ino);
    expect(statSync(join(target, 'notes.txt')).nlink).toBe(1);
    expect(statSync(target).ino).toBe(dirIno);
    expect(readdirSync(dirname(target))).toEqual(['run']);
  });

  it("is a lock: a second writer is refused while the first lives; a dead owner's leftovers are cleared", async () => {
    const target = join(fresh(), 'run');
    const first = StagedRunDir.acquire(target, 'run');
    refused(() => StagedRunDir.acquire(target, 'run'), /another connsim process \(pid \d+\) is writing 'run'/);
    first.discard();
    // A staging directory whose owner is gone (a SIGKILLed run) is removed and taken over.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((res) => child.on('exit', () => res(child.pid!)));
    const stale = join(dirname(target), stagingName(target));
    mkdirSync(join(stale, 'new'), { recursive: true });
    writeFileSync(join(stale, 'owner'), `${deadPid}\n`);
    writeFileSync(join(stale, 'new', 'half-written.json'), '{');
    // So are the temp directories earlier versions left (`.<name>.tmp-XXXXXX`).
    mkdirSync(join(dirname(target), '.run.tmp-AbC123'));
    const again = StagedRunDir.acquire(target, 'run');
    expect(readdirSync(again.dir)).toEqual([]);
    again.discard();
    expect(readdirSync(dirname(target))).toEqual([]);
  });
});
