// The parts every chart shares: the chart record, the house look (size, fonts, colours), the
// title and subtitle that name the run, the simulated-time axis (hours, or minutes for short
// runs), labelled vertical rules for the run's marks, and the explicit "no data" chart.
//
// It builds plain Vega-Lite objects with inline data; it does not choose which charts exist
// (charts-*.ts and index.ts do) and never renders (cli/render.ts does).

import { DISCONNECT_REASONS, EVICTION_REASONS, type DisconnectReason, type RunResult } from './run-result.ts';

/** A Vega-Lite spec as a plain object (validated against the Vega-Lite schema in the tests). */
export type VlSpec = Record<string, unknown>;

/** Chart families, in the order the report shows them. */
export type ChartFamily = 'eclipse' | 'victims' | 'diversity' | 'timeouts' | 'churn';

export const CHART_FAMILIES: readonly { family: ChartFamily; title: string }[] = [
  { family: 'eclipse', title: 'Eclipse resistance' },
  { family: 'victims', title: 'Each victim' },
  { family: 'diversity', title: 'Netgroup diversity' },
  { family: 'timeouts', title: 'Disconnects and inactivity timeouts' },
  { family: 'churn', title: 'Connection churn and traffic' },
];

export interface Chart {
  /** File-safe: lowercase letters, digits and dashes, starting with the family. */
  name: string;
  family: ChartFamily;
  spec: VlSpec;
  /** False when the chart is the explicit "no data" placeholder. */
  hasData: boolean;
  /** The axis titles the rendered chart shows (empty for "no data"); tests look for them in the SVG. */
  axisTitles: string[];
}

export const VEGA_LITE_SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json';

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 280;

const MICROS_PER_MINUTE = 60_000_000;
const MICROS_PER_HOUR = 3_600_000_000;

/** How simulated times are shown on x axes: hours, or minutes for runs of three hours or less. */
export interface TimeScale {
  divisor: number;
  unit: 'h' | 'min';
  /** The axis title, e.g. "Simulated time (h)". */
  title: string;
  /** Run length in the unit (the x domain's upper end). */
  domainMax: number;
}

export function timeScale(durationMicros: number): TimeScale {
  const minutes = durationMicros <= 3 * MICROS_PER_HOUR;
  const divisor = minutes ? MICROS_PER_MINUTE : MICROS_PER_HOUR;
  const unit = minutes ? 'min' : 'h';
  return { divisor, unit, title: `Simulated time (${unit})`, domainMax: durationMicros / divisor };
}

/** A duration such as a bin width in words: "10 min", "2 h", "30 s". */
export function durationLabel(micros: number): string {
  if (micros >= MICROS_PER_HOUR && micros % MICROS_PER_HOUR === 0) return `${micros / MICROS_PER_HOUR} h`;
  if (micros >= MICROS_PER_MINUTE && micros % MICROS_PER_MINUTE === 0) return `${micros / MICROS_PER_MINUTE} min`;
  return `${micros / 1_000_000} s`;
}

/**
 * A duration in seconds as a reader would say it, with three significant digits at most:
 * "350 ms", "2.4 s", "20 min", "1.5 h". Never an SI prefix on seconds ("10m" reads as minutes).
 */
export function secondsText(seconds: number): string {
  const g = (x: number) => String(Number(x.toPrecision(3)));
  if (seconds < 0.001) return `${g(seconds * 1_000_000)} µs`;
  if (seconds < 1) return `${g(seconds * 1000)} ms`;
  if (seconds < 60) return `${g(seconds)} s`;
  if (seconds < 3600) return `${g(seconds / 60)} min`;
  return `${g(seconds / 3600)} h`;
}

/**
 * Where a log axis of seconds puts its ticks: powers of ten from 1 µs (the clock's resolution)
 * below a minute, then minutes and hours.
 */
const LOG_SECONDS_TICKS = [0.000_001, 0.000_01, 0.000_1, 0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 36_000, 360_000];

/** The vega expression that labels a seconds axis the way secondsText does. */
const SECONDS_LABEL_EXPR =
  "datum.value < 0.001 ? format(datum.value * 1000000, '~g') + ' µs' : " +
  "datum.value < 1 ? format(datum.value * 1000, '~g') + ' ms' : datum.value < 60 ? format(datum.value, '~g') + ' s' : " +
  "datum.value < 3600 ? format(datum.value / 60, '~g') + ' min' : format(datum.value / 3600, '~g') + ' h'";

/**
 * The scale and axis of a log axis of durations in seconds spanning [minSeconds, maxSeconds]
 * (both > 0): ticks at 1 µs, 10 µs, 100 µs, 1 ms, …, 1 s, 10 s, 1 min, 10 min, 1 h, 10 h, 100 h, labelled
 * with their unit, and a domain from the tick at or below the data to the tick at or above it.
 */
export function logSecondsAxis(minSeconds: number, maxSeconds: number): { scale: VlSpec; axis: VlSpec } {
  let lo = 0;
  while (lo + 1 < LOG_SECONDS_TICKS.length && LOG_SECONDS_TICKS[lo + 1]! <= minSeconds) lo++;
  let hi = LOG_SECONDS_TICKS.length - 1;
  while (hi - 1 > lo && LOG_SECONDS_TICKS[hi - 1]! >= maxSeconds) hi--;
  const lowest = Math.min(LOG_SECONDS_TICKS[lo]!, minSeconds);
  const highest = Math.max(LOG_SECONDS_TICKS[hi]!, maxSeconds);
  return {
    scale: { type: 'log', domain: [lowest, highest], nice: false },
    axis: { values: LOG_SECONDS_TICKS.slice(lo, hi + 1), labelExpr: SECONDS_LABEL_EXPR, labelOverlap: false },
  };
}

/** The subtitle lines every chart carries: what was run, with which seed and profile. */
export function runSubtitle(result: RunResult, extra?: string | readonly string[]): string[] {
  const id = result.identity;
  const lines = [`${id.scenario} · seed ${id.seed} · profile ${id.profile} · ${id.honestNodes} honest / ${id.attackerNodes} attacker nodes`];
  if (typeof extra === 'string' && extra !== '') lines.push(...wrapSubtitleLine(extra));
  else if (Array.isArray(extra)) for (const l of extra as readonly string[]) lines.push(...wrapSubtitleLine(l));
  return lines;
}

/**
 * The longest subtitle line. Rendered without a browser, vega sizes an SVG by an estimate of its
 * text's width (about 0.8 em a character), so a longer line pads the standalone SVG with blank
 * width far past the plot and its legend.
 */
export const SUBTITLE_LINE_CHARS = 100;

/**
 * A subtitle line cut into lines of at most SUBTITLE_LINE_CHARS characters, outside parentheses:
 * after a "; " or ". " in the second half of the line where there is one, else at the last space;
 * the pieces joined with spaces give the line back.
 */
export function wrapSubtitleLine(line: string): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > SUBTITLE_LINE_CHARS) {
    let depth = 0;
    let clause = -1; // index of the space after a "; " or ". " outside parentheses
    let space = -1; // the last space outside parentheses
    let anySpace = -1;
    for (let i = 0; i <= SUBTITLE_LINE_CHARS && i < rest.length; i++) {
      const ch = rest[i];
      if (ch === '(') depth++;
      else if (ch === ')') depth = Math.max(0, depth - 1);
      else if (ch === ' ') {
        anySpace = i;
        if (depth === 0) {
          space = i;
          if (i >= SUBTITLE_LINE_CHARS / 2 && (rest[i - 1] === ';' || rest[i - 1] === '.')) clause = i;
        }
      }
    }
    const cut = clause > 0 ? clause : space > 0 ? space : anySpace;
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
  }
  out.push(rest);
  return out;
}

/** The house look: applied to every chart so they sit together in a paper. */
export function houseConfig(): VlSpec {
  return {
    font: 'Helvetica, Arial, sans-serif',
    view: { stroke: '#bbbbbb' },
    title: { anchor: 'start', fontSize: 15, fontWeight: 'bold', subtitleFontSize: 11, subtitleColor: '#555555', offset: 10 },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6', domainColor: '#888888', tickColor: '#888888' },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right', labelLimit: 240 },
    line: { strokeWidth: 1.8 },
  };
}

/** The common top of every spec. */
export function specFrame(result: RunResult, title: string, subtitleExtra?: string | readonly string[]): VlSpec {
  return {
    $schema: VEGA_LITE_SCHEMA_URL,
    title: { text: title, subtitle: runSubtitle(result, subtitleExtra) },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: houseConfig(),
  };
}

/** The explicit placeholder for a chart whose data is empty: its title, and a sentence saying why. */
export function noDataChart(result: RunResult, name: string, family: ChartFamily, title: string, why: string): Chart {
  return {
    name,
    family,
    hasData: false,
    axisTitles: [],
    spec: {
      ...specFrame(result, title),
      height: 120,
      data: { values: [{ message: `No data: ${why}` }] },
      mark: { type: 'text', fontSize: 14, color: '#777777' },
      encoding: {
        text: { field: 'message', type: 'nominal' },
        x: { value: CHART_WIDTH / 2 },
        y: { value: 60 },
      },
    },
  };
}

/** The series name of all long-lived outbound connections together. */
export const ALL_LONG_LIVED = 'all long-lived outbound';

/** A fixed colour for each connection type, so one type has one colour in every chart. */
export const CONN_TYPE_COLOURS: Record<string, string> = {
  'outbound-full-relay': '#4c78a8',
  'block-relay-only': '#f58518',
  manual: '#54a24b',
  feeler: '#b279a2',
  'addr-fetch': '#9d755d',
  'private-broadcast': '#bab0ac',
  inbound: '#e45756',
  [ALL_LONG_LIVED]: '#222222',
};

/**
 * Colour scale over the connection types a chart shows (in display order), each in its fixed
 * colour, so the legend lists only what is drawn and colours agree across charts.
 */
export function connTypeScale(shown: readonly string[]): VlSpec {
  return { domain: [...shown], range: shown.map((d) => CONN_TYPE_COLOURS[d] ?? '#888888') };
}

/** Tableau-10 in order: one fixed colour per disconnect reason. */
const TABLEAU10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * A fixed colour per disconnect reason: the inactivity timeouts in reds and yellows, what the peer
 * did in blues, our own choices in greens and purples, the node's life in greys.
 */
const DISCONNECT_REASON_COLOURS: Record<DisconnectReason, string> = {
  'connect-timeout': '#9c755f',
  'socket-no-message': '#e15759',
  'handshake-timeout': '#ff9da7',
  'socket-send-timeout': '#f28e2b',
  'socket-receive-timeout': '#edc948',
  'ping-timeout': '#b6992d',
  'socket-closed': '#4e79a7',
  'socket-recv-error': '#a0cbe8',
  eviction: '#59a14f',
  'feeler-done': '#b07aa1',
  'addr-fetch-done': '#d4a6c8',
  'handshake-refused': '#86bcb6',
  misbehaviour: '#499894',
  'block-download-timeout': '#8cd17d',
  'upload-target-reached': '#d37295',
  'disconnect-requested': '#79706e',
  'network-inactive': '#bab0ac',
  shutdown: '#8c8c8c',
  'node-crashed': '#333333',
};

/** Colour scale over the disconnect reasons a chart shows, in display order, each in its fixed colour. */
export function disconnectReasonScale(shown: readonly string[]): VlSpec {
  const order = DISCONNECT_REASONS.filter((r) => shown.includes(r));
  return { domain: order, range: order.map((r) => DISCONNECT_REASON_COLOURS[r]) };
}

export function evictionReasonScale(): VlSpec {
  return { domain: [...EVICTION_REASONS], range: EVICTION_REASONS.map((_, i) => TABLEAU10[i % TABLEAU10.length]!) };
}

/** The x encoding of simulated time, over the whole run. */
export function timeX(ts: TimeScale, field = 't'): VlSpec {
  const enc: VlSpec = { field, type: 'quantitative', title: ts.title };
  if (ts.domainMax > 0) enc.scale = { domain: [0, ts.domainMax], nice: false, zero: true };
  return enc;
}

/** The tooltip entry for simulated time. */
export function timeTooltip(ts: TimeScale, field = 't'): VlSpec {
  return { field, type: 'quantitative', title: `time (${ts.unit})`, format: ',.2f' };
}

/**
 * Layers that draw the run's marks as dashed vertical rules with their labels near the top of
 * the plot. Labels of nearby marks are staggered over three rows so they do not overprint.
 */
export function markLayers(result: RunResult, ts: TimeScale): VlSpec[] {
  if (result.marks.length === 0) return [];
  const values = result.marks.map((m, i) => ({ t: m.tMicros / ts.divisor, label: m.label, labelY: 4 + 13 * (i % 3) }));
  const x = { field: 't', type: 'quantitative' };
  return [
    {
      data: { values },
      mark: { type: 'rule', color: '#555555', strokeDash: [4, 3], strokeWidth: 1 },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal', title: 'mark' }, timeTooltip(ts)] },
    },
    {
      data: { values },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, fontSize: 10, color: '#333333' },
      encoding: { x, y: { field: 'labelY', type: 'quantitative', scale: null }, text: { field: 'label', type: 'nominal' } },
    },
  ];
}

/** A time chart: its data layers followed by the mark layers. */
export function timeChart(
  result: RunResult,
  ts: TimeScale,
  head: { name: string; family: ChartFamily; title: string; subtitle?: string | readonly string[]; yTitle: string },
  layers: VlSpec[],
  extraFrame: VlSpec = {},
): Chart {
  return {
    name: head.name,
    family: head.family,
    hasData: true,
    axisTitles: [ts.title, head.yTitle],
    spec: { ...specFrame(result, head.title, head.subtitle), ...extraFrame, layer: [...layers, ...markLayers(result, ts)] },
  };
}

/** A ratio, or null when the denominator is zero (so no point is drawn instead of a false 0%). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** A readable network-group label: "192.168.0.0/16" for IPv4 groups, the hex otherwise. */
export function netgroupLabel(hex: string): string {
  if (hex.length === 6 && hex.startsWith('01')) {
    return `${parseInt(hex.slice(2, 4), 16)}.${parseInt(hex.slice(4, 6), 16)}.0.0/16`;
  }
  return hex;
}
