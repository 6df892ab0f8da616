// The worker thread of `connsim sweep`: it loads the sweep's scenario (and its --asmap / --seed-list
// inputs) once, then runs one scenario per message from the main thread with scenarios/dsl/runner.ts
// and posts back the run's RunSummary, or the message of the exception it threw, plus its wall
// time (which only ever goes to timing.json). It writes no files: the main thread does, so a run
// file is written once, atomically, by one writer.
//
// Started by sweep-command.ts through a small JavaScript bootstrap that registers tsx in the new
// thread first, since the simulator is TypeScript run without a build step.

import { parentPort, workerData } from 'node:worker_threads';

import type { RunSummary } from '../scenarios/dsl/run-summary.ts';
import { runScenario, type RunRequest } from '../scenarios/dsl/runner.ts';
import type { ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { readRunInputs, type RunInputs } from './run-inputs.ts';
import { loadScenario } from './scenario-loader.ts';
import type { RunArgsOfPlan, SweepInputFile } from './sweep-plan.ts';
import { determinismGuard } from './determinism-guard.ts';
import { firstLine } from './user-error.ts';

/** What the main thread hands every worker when it starts it. */
export interface SweepWorkerData {
  /** The scenario as typed on the command line (a built-in name or a path, relative to the shared cwd). */
  scenario: string;
  asmap: SweepInputFile | null;
  seedList: SweepInputFile | null;
  population: SweepInputFile | null;
}

/** Main → worker: run this point of the plan. */
export interface SweepJob {
  type: 'run';
  index: number;
  args: RunArgsOfPlan;
}

/** Worker → main messages. */
export type SweepWorkerMessage =
  | { type: 'progress'; index: number; fraction: number; events: number }
  | { type: 'done'; index: number; summary: RunSummary; wallMs: number }
  | { type: 'failed'; index: number; error: string; wallMs: number };

const data = workerData as SweepWorkerData;
let definition: ScenarioDefinition | undefined;
let scenarioFile: string | null = null;
let inputs: RunInputs | undefined;

/** Loaded once per worker; a changed input file (sha256) fails the run instead of silently differing. */
async function prepare(): Promise<void> {
  if (definition !== undefined) return;
  const loaded = await loadScenario(data.scenario);
  definition = loaded.definition;
  scenarioFile = loaded.file;
  inputs = readRunInputs({ asmap: data.asmap?.path, seedList: data.seedList?.path, population: data.population?.path });
  if (data.asmap !== null && inputs.asmap?.file.sha256 !== data.asmap.sha256) throw new Error(`asmap file '${data.asmap.path}' changed since the sweep was planned`);
  if (data.seedList !== null && inputs.seedList?.file.sha256 !== data.seedList.sha256) throw new Error(`seed list '${data.seedList.path}' changed since the sweep was planned`);
  if (data.population !== null && inputs.population?.file.sha256 !== data.population.sha256) throw new Error(`population file '${data.population.path}' changed since the sweep was planned`);
}

function requestOf(args: RunArgsOfPlan, index: number): RunRequest {
  let lastPost = -1;
  return {
    scenario: definition!,
    scenarioFile,
    seed: args.seed,
    profile: args.profile,
    set: args.set,
    params: args.params,
    ...(args.nodes !== null ? { nodes: args.nodes } : {}),
    ...(args.duration !== null ? { duration: args.duration } : {}),
    ...(args.sampleInterval !== null ? { sampleInterval: args.sampleInterval } : {}),
    ...(inputs?.asmap !== undefined ? { asmap: inputs.asmap } : {}),
    ...(inputs?.seedList !== undefined ? { seedList: inputs.seedList } : {}),
    ...(inputs?.population !== undefined ? { population: inputs.population } : {}),
    onProgress: (p) => {
      const fraction = p.durationMicros > 0 ? Math.min(1, p.simMicros / p.durationMicros) : 1;
      // About every 5% is plenty for one line over the whole sweep.
      if (fraction - lastPost < 0.05 && fraction < 1) return;
      lastPost = fraction;
      parentPort!.postMessage({ type: 'progress', index, fraction, events: p.events } satisfies SweepWorkerMessage);
    },
  };
}

async function handle(job: SweepJob): Promise<void> {
  const started = performance.now();
  try {
    await prepare();
    const outcome = determinismGuard.run(() => runScenario(requestOf(job.args, job.index)));
    parentPort!.postMessage({ type: 'done', index: job.index, summary: outcome.summary, wallMs: performance.now() - started } satisfies SweepWorkerMessage);
  } catch (e) {
    parentPort!.postMessage({ type: 'failed', index: job.index, error: firstLine(e), wallMs: performance.now() - started } satisfies SweepWorkerMessage);
  }
}

// Jobs arrive one at a time (the main thread sends the next when this one is answered), so they
// never overlap; the chain keeps that true even if a job were sent early.
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (job: SweepJob) => {
  chain = chain.then(() => handle(job));
});
