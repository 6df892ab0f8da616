// The public API of the scenario layer (`connsim/scenarios`): the DSL a scenario file is written in,
// the runner, the built-in scenarios and version profiles, the world a run builds, and the actors
// and the scripted test peer. Import from here rather than from the individual files.

export {
  ScenarioError,
  defineScenario,
  param,
  parseDurationOrThrow,
  resolveParams,
  type AttackerHandle,
  type CheckOutcome,
  type ParamSpec,
  type ParamType,
  type ParamValues,
  type ParamValuesOf,
  type PeerView,
  type ScenarioDefaults,
  type ScenarioDefinition,
  type ScenarioSpec,
  type ScriptContext,
  type ScriptIterator,
  type ScriptStep,
  type TimelineStep,
} from './dsl/scenario.ts';
export { ScriptSession, type RoleTarget } from './dsl/script-session.ts';
export { runScenario, type RunOutcome, type RunProgress, type RunRequest } from './dsl/runner.ts';
export { RUN_SUMMARY_FILE_NAME, RUN_SUMMARY_FORMAT_VERSION, reproduceCommand, type RunInputFile, type RunSummary } from './dsl/run-summary.ts';
export { BUILTIN_SCENARIOS, findScenario } from './builtin/registry.ts';

export { DEFAULT_PROFILE, ProfileError, SETTINGS, listProfiles, resolveProfile, type ProfileInfo, type ProfileSettings, type ResolvedProfile } from './world/profiles.ts';
export { World, DEFAULT_P2P_PORT, type WorldNode, type WorldOptions } from './world/world.ts';
export { worldOptionsFor, type PopulationOptions } from './world/population.ts';

export { ATTACKER_KINDS, createAttacker, type AttackerKind, type AttackerSpec } from './actors/create-attacker.ts';
export type { Attacker, AttackerEnv } from './actors/attacker-env.ts';
export { ScriptedPeer, addScriptedPeer, type ScriptedPeerOptions } from './actors/scripted-peer.ts';

export { InvariantMonitor } from './observe/invariants.ts';
export { MetricsRecorder } from './observe/metrics-recorder.ts';
export { inspectNode, type InspectJson } from './observe/inspect.ts';
