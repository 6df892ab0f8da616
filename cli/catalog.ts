// The text of `connsim list`, `connsim describe <scenario>` and `connsim profiles`: what scenarios
// and profiles exist, what each does and what can be set. Pure formatting over the definitions and
// the profile table; it loads and runs nothing.

import type { ProfileInfo, SettingInfo } from '../scenarios/world/profiles.ts';
import type { ParamSpec, ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { DISTRIBUTION_FORMS, formatDuration } from '../sim/index.ts';
import { PRIVACY_NETWORKS_NOTE, WORLD_PRESETS, WORLD_SETTINGS, resolveWorldSettings } from '../scenarios/world/world-settings.ts';

/** Width that wrapped prose is kept within. */
const WRAP = 96;

/** Wraps text at spaces into lines of at most `width` characters, each prefixed by `indent`. */
export function wrap(text: string, indent: string, width = WRAP): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(indent + line);
  }
  return out;
}

/** Aligned columns; the last column is not padded. */
function columns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  if (rows.length === 0) return [];
  const n = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < n - 1; c++) widths.push(Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c < n - 1 ? cell.padEnd(widths[c]!) : cell)).join(gap).trimEnd());
}

/**
 * Aligned columns whose last column (prose) wraps within WRAP, continuation lines indented to it;
 * when the other columns leave it too little room, the prose goes on the lines below instead.
 */
function columnsWrappingLast(rows: readonly (readonly string[])[]): string[] {
  const n = Math.max(...rows.map((r) => r.length));
  const heads = columns(rows.map((r) => [...r.slice(0, n - 1), '']));
  const indent = Math.max(...heads.map((h) => h.length)) + 2;
  const out: string[] = [];
  rows.forEach((r, i) => {
    const head = heads[i]!.padEnd(indent);
    const prose = r[n - 1] ?? '';
    if (WRAP - indent >= 30) {
      const wrapped = wrap(prose, ' '.repeat(indent));
      out.push(head + wrapped[0]!.slice(indent), ...wrapped.slice(1));
    } else {
      out.push(head.trimEnd(), ...wrap(prose, '      '));
    }
  });
  return out;
}

/** `connsim list`: one scenario per line, name and summary aligned. */
export function formatList(scenarios: readonly ScenarioDefinition[]): string {
  if (scenarios.length === 0) return 'no built-in scenarios (give a path to a scenario .ts file)\n';
  return `${columns(scenarios.map((s) => [s.name, s.summary])).join('\n')}\n`;
}

/** A parameter's default as typed on the command line. */
export function formatParamDefault(spec: ParamSpec): string {
  return String(spec.default);
}

/** A parameter's allowed values ("" when unrestricted). */
export function formatParamRange(spec: ParamSpec): string {
  if (spec.choices !== undefined) return spec.choices.join(' | ');
  const show = (v: number): string => (spec.type === 'duration' ? formatDuration(v) : String(v));
  if (spec.min !== undefined && spec.max !== undefined) return `${show(spec.min)}..${show(spec.max)}`;
  if (spec.min !== undefined) return `>= ${show(spec.min)}`;
  if (spec.max !== undefined) return `<= ${show(spec.max)}`;
  return '';
}

/** `connsim describe <scenario>`. */
export function formatDescribe(def: ScenarioDefinition, file: string | null): string {
  const lines: string[] = [];
  lines.push(`${def.name}${file !== null ? ` (${file})` : ''}`);
  lines.push(...wrap(def.summary, '  '));
  lines.push('');
  lines.push('Threat model:');
  lines.push(...wrap(def.threatModel, '  '));
  if (def.reproduces !== undefined) {
    lines.push('');
    lines.push('Reproduces:');
    lines.push(...wrap(def.reproduces, '  '));
  }
  lines.push('');
  lines.push('Defaults:');
  lines.push(
    ...columns([
      ['  --nodes', String(def.defaults.nodes)],
      ['  --duration', def.defaults.duration],
      ['  --sample-interval', def.defaults.sampleInterval],
      ['  --profile', def.defaults.profile ?? 'core-master'],
    ]),
  );
  lines.push('');
  const names = Object.keys(def.params).sort();
  if (names.length === 0) {
    lines.push('Parameters: none');
  } else {
    lines.push('Parameters (--param name=value):');
    const rows: string[][] = [['  name', 'type', 'default', 'range', 'meaning']];
    for (const name of names) {
      const spec = def.params[name]!;
      rows.push([`  ${name}`, spec.type, formatParamDefault(spec), formatParamRange(spec), spec.description]);
    }
    lines.push(...columnsWrappingLast(rows));
  }
  lines.push('');
  lines.push('World (--set key=value; the scenario\'s own defaults are marked *):');
  const ws = resolveWorldSettings([], def.world).texts;
  lines.push(...columns(WORLD_SETTINGS.map((w) => [`  ${w.key}`, `${ws[w.key]}${def.world?.[w.key] !== undefined ? ' *' : ''}`])));
  lines.push('');
  lines.push(`Run: connsim run ${file ?? def.name} --seed 1`);
  return `${lines.join('\n')}\n`;
}

function settingType(s: SettingInfo): string {
  if (s.type === 'integer') return `integer ${s.min ?? ''}..${s.max ?? ''}`;
  if (s.type === 'enum') return (s.values ?? []).join(' | ');
  return 'boolean';
}

/** `connsim profiles`: every profile with its settings, then what each setting means. */
export function formatProfiles(profiles: readonly ProfileInfo[], settings: readonly SettingInfo[], defaultProfile: string): string {
  const lines: string[] = ['Profiles (--profile NAME; override one setting with --set key=value):', ''];
  for (const p of profiles) {
    lines.push(`${p.name}${p.name === defaultProfile ? ' (default)' : ''}: ${p.title}`);
    lines.push(...wrap(p.description, '    '));
    const values = p.settings as unknown as Record<string, unknown>;
    const pairs = settings.map((s) => `${s.key}=${String(values[s.key])}`);
    lines.push(...wrap(pairs.join(' '), '    '));
    lines.push('');
  }
  lines.push('Settings:');
  lines.push('');
  for (const s of settings) {
    lines.push(`  ${s.key} (${settingType(s)})`);
    lines.push(...wrap(s.meaning, '      '));
    lines.push(...wrap(`Core: ${s.introduced}`, '      '));
  }
  lines.push('');
  lines.push('World settings (the network around the nodes, the same for every profile; --set key=value):');
  lines.push('');
  for (const w of WORLD_SETTINGS) {
    const type = w.type === 'distribution' ? `distribution${w.unit === 'duration' ? ' of times' : ''}${w.canBeOff === true ? ' or off' : ''}` : w.type === 'share' ? 'share in [0, 1]' : w.type === 'preset' ? `one of ${Object.keys(WORLD_PRESETS).join(', ')}` : w.type === 'duration' ? 'duration or off' : 'boolean';
    lines.push(`  ${w.key} (${type}; default ${w.default})`);
    lines.push(...wrap(w.meaning, '      '));
    lines.push(...wrap(`Source: ${w.source}`, '      '));
  }
  lines.push('');
  lines.push(...wrap(`Distributions: ${DISTRIBUTION_FORMS.join(', ')}; times as durations (20ms, 10h).`, ''));
  lines.push('');
  lines.push(...wrap(PRIVACY_NETWORKS_NOTE, ''));
  return `${lines.join('\n')}\n`;
}
