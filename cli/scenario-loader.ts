// Finds the scenario a command names: a built-in by name (scenarios/builtin/registry.ts), or a TypeScript /
// JavaScript module by path, whose default export or named export `scenario` must be a
// ScenarioDefinition. It does not run anything; a bad name or file is a CliError (exit 2).

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { BUILTIN_SCENARIOS, findScenario } from '../scenarios/builtin/registry.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { determinismGuard } from './determinism-guard.ts';
import { CliError, firstLine } from './user-error.ts';

export interface LoadedScenario {
  definition: ScenarioDefinition;
  /** The path as given for a file scenario, null for a built-in. */
  file: string | null;
}

/** Whether the command-line word names a file rather than a built-in scenario. */
export function isScenarioPath(spec: string): boolean {
  return spec.includes('/') || /\.(ts|js|mts|mjs)$/.test(spec);
}

/** The reason a value is not a ScenarioDefinition, or null when it looks like one. */
function shapeProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object') return 'the export is not an object';
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string') return 'the export has no string "name"';
  if (typeof o.summary !== 'string') return 'the export has no string "summary"';
  if (typeof o.threatModel !== 'string') return 'the export has no string "threatModel"';
  if (o.defaults === null || typeof o.defaults !== 'object') return 'the export has no "defaults" object';
  if (o.params === null || typeof o.params !== 'object') return 'the export has no "params" object';
  if (typeof o.script !== 'function') return 'the export has no "script" function';
  return null;
}

/**
 * The one-line reason a scenario file failed to import. A syntax error comes from esbuild (through
 * tsx) as "Transform failed with N error(s):" followed by "file:line:column: ERROR: text" lines
 * (line 1-based, column 0-based): it is given as the first error's line and 1-based column.
 */
export function importErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const head = /^Transform failed with (\d+) errors?:\n/.exec(message);
  if (head !== null) {
    const first = /^(.*):(\d+):(\d+): ERROR: (.*)$/m.exec(message.slice(head[0].length));
    if (first !== null) {
      const more = Number(head[1]) > 1 ? ` (and ${Number(head[1]) - 1} more error${Number(head[1]) > 2 ? 's' : ''})` : '';
      return `syntax error at line ${first[2]}, column ${Number(first[3]) + 1}: ${first[4]}${more}`;
    }
  }
  return firstLine(e);
}

async function loadFile(path: string): Promise<ScenarioDefinition> {
  const where = `cannot load scenario file ${path}`;
  const abs = resolve(path);
  if (!existsSync(abs)) throw new CliError(`${where}: no such file`);
  if (!statSync(abs).isFile()) throw new CliError(`${where}: not a file`);
  let mod: Record<string, unknown>;
  // The file's top-level code runs behind the determinism guard too (a parameter default drawn
  // from Math.random would make every run of the "same" scenario different); the module loader
  // itself needs timers and Promises, so at load time only the sources of values are withheld.
  determinismGuard.enter('values');
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`${where}: ${importErrorText(e)}`);
  } finally {
    determinismGuard.leave();
  }
  const candidate = mod.default !== undefined ? mod.default : mod.scenario;
  if (candidate === undefined) throw new CliError(`${where}: it exports no scenario (expected a default export or an export named "scenario")`);
  const problem = shapeProblem(candidate);
  if (problem !== null) throw new CliError(`${where}: ${problem} (use defineScenario)`);
  try {
    // Re-validate: a file may build the object by hand rather than through defineScenario.
    return defineScenario(candidate as ScenarioDefinition);
  } catch (e) {
    throw new CliError(`${where}: ${firstLine(e)}`);
  }
}

/** The scenario a command names (a built-in name or a file path). */
export async function loadScenario(spec: string): Promise<LoadedScenario> {
  if (isScenarioPath(spec)) return { definition: await loadFile(spec), file: spec };
  const def = findScenario(spec);
  if (def === undefined) {
    const names = BUILTIN_SCENARIOS.map((s) => s.name);
    throw new CliError(`unknown scenario "${spec}" (available: ${names.length > 0 ? names.join(', ') : 'none built in'}; or give a path to a .ts file)`);
  }
  return { definition: def, file: null };
}
