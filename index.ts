// connsim's public API (`import … from 'connsim'`): what a scenario file, a study script or a test
// outside the repository needs most, in one place. The layers have their own entry points with
// everything they export: 'connsim/connman' (the port), 'connsim/scenarios' (the DSL, the runner,
// the world and actors), 'connsim/reports' (charts and CSV from a RunResult) and 'connsim/sim' (the
// kernel). The table in README.md ("Public API") lists them.

export { buildNode, NodeContext, resolveNodeOptions, Connman, AddrMan, NetGroupManager, ConnectionType, NetAddr, Service, Address, serviceOrThrow } from './connman/index.ts';
export type { ConnmanOptions, NodePorts, NodeSetup, NodeStats, Clock, NodeClock, Rng, Scheduler, Transport, EventSink, FileStore, DnsSeedResolver, KeepAlive, ConnmanEvent, Micros } from './connman/index.ts';
export {
  defineScenario,
  param,
  runScenario,
  ScenarioError,
  BUILTIN_SCENARIOS,
  findScenario,
  listProfiles,
  resolveProfile,
  World,
  addScriptedPeer,
} from './scenarios/index.ts';
export type { ScenarioDefinition, ScenarioSpec, ScriptContext, ParamSpec, ParamValuesOf, CheckOutcome, RunRequest, RunOutcome, RunSummary, AttackerSpec, WorldOptions } from './scenarios/index.ts';
export { buildCharts, chartDataCsv, parseRunResult, stableStringify, type RunResult, type Chart } from './reports/index.ts';
