// The reports layer's entry points: every chart of a run (buildCharts), one RFC 4180 CSV per
// series (chartDataCsv), and a structural check of a RunResult read back from result.json.
// Everything here is pure; rendering to SVG and writing files is cli/'s job.

import { CHART_FAMILIES, type Chart, type ChartFamily, type VlSpec } from './chart-kit.ts';
import { churnCharts } from './charts-churn.ts';
import { diversityCharts } from './charts-diversity.ts';
import { eclipseCharts } from './charts-eclipse.ts';
import { victimCharts } from './charts-victims.ts';
import { disconnectSummary, timeoutCharts } from './charts-timeouts.ts';
import { csvHeader, csvLine, toCsv, type CsvColumn } from './csv.ts';
import {
  OUTBOUND_CONN_TYPES,
  type ConnectionLogRow,
  RUN_RESULT_FORMAT_VERSION,
  type NetworkSample,
  type NodeSample,
  type Percentiles,
  type RunResult,
} from './run-result.ts';

export { CHART_FAMILIES, type Chart, type ChartFamily, type VlSpec };
export { stableStringify } from './stable-json.ts';
export * from './run-result.ts';
export * from './stats.ts';

const FILE_SAFE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Every chart of the run, grouped by family in CHART_FAMILIES order; names are unique and file-safe. */
export function buildCharts(result: RunResult): Chart[] {
  const charts = [...eclipseCharts(result), ...victimCharts(result), ...diversityCharts(result), ...timeoutCharts(result), ...churnCharts(result)];
  const seen = new Set<string>();
  for (const c of charts) {
    if (!FILE_SAFE.test(c.name)) throw new Error(`buildCharts: chart name '${c.name}' is not file-safe`);
    if (seen.has(c.name)) throw new Error(`buildCharts: duplicate chart name '${c.name}'`);
    seen.add(c.name);
  }
  return charts;
}

/**
 * A sentence or two per chart family that the report prints above its charts, saying what they
 * show in this run (families without one are absent).
 */
export function familyNotes(result: RunResult): Partial<Record<ChartFamily, string>> {
  return { timeouts: disconnectSummary(result) };
}

const PERCENTILE_KEYS: readonly (keyof Percentiles)[] = ['min', 'p10', 'p25', 'median', 'p75', 'p90', 'max'];

function percentileColumns<T>(prefix: string, get: (row: T) => Percentiles): CsvColumn<T>[] {
  return PERCENTILE_KEYS.map((k) => ({ header: `${prefix}_${k}`, value: (r: T) => get(r)[k] }));
}

function outboundColumns<T extends { outbound: NetworkSample['outbound'] }>(): CsvColumn<T>[] {
  return OUTBOUND_CONN_TYPES.flatMap((ct) => [
    { header: `outbound_${ct.key}`, value: (r: T) => r.outbound[ct.key].total },
    { header: `outbound_${ct.key}_attacker`, value: (r: T) => r.outbound[ct.key].attacker },
  ]);
}

const NODE_COLUMNS: CsvColumn<NodeSample>[] = [
  { header: 'tMicros', value: (r) => r.tMicros },
  { header: 'nodeId', value: (r) => r.nodeId },
  { header: 'role', value: (r) => r.role },
  ...outboundColumns<NodeSample>(),
  { header: 'longLivedOutbound', value: (r) => r.longLivedOutbound },
  { header: 'longLivedOutboundAttacker', value: (r) => r.longLivedOutboundAttacker },
  { header: 'eclipsed', value: (r) => r.eclipsed },
  { header: 'distinctNetgroups', value: (r) => r.distinctNetgroups },
  { header: 'distinctAsns', value: (r) => r.distinctAsns },
  { header: 'netgroupEntropyBits', value: (r) => r.netgroupEntropyBits },
  { header: 'asnEntropyBits', value: (r) => r.asnEntropyBits },
  { header: 'inboundTotal', value: (r) => r.inboundTotal },
  { header: 'inboundAttacker', value: (r) => r.inboundAttacker },
  { header: 'inboundSlots', value: (r) => r.inboundSlots },
  { header: 'inboundSlotsAttacker', value: (r) => r.inboundSlotsAttacker },
  { header: 'inboundLimit', value: (r) => r.inboundLimit },
  { header: 'inboundDistinctNetgroups', value: (r) => r.inboundDistinctNetgroups },
  { header: 'inboundTopNetgroupShare', value: (r) => r.inboundTopNetgroupShare },
  { header: 'addrmanNew', value: (r) => r.addrmanNew },
  { header: 'addrmanNewAttacker', value: (r) => r.addrmanNewAttacker },
  { header: 'addrmanTried', value: (r) => r.addrmanTried },
  { header: 'addrmanTriedAttacker', value: (r) => r.addrmanTriedAttacker },
];

const NETWORK_COLUMNS: CsvColumn<NetworkSample>[] = [
  { header: 'tMicros', value: (r) => r.tMicros },
  { header: 'honestNodes', value: (r) => r.honestNodes },
  { header: 'eclipsedNodes', value: (r) => r.eclipsedNodes },
  { header: 'eclipsedFraction', value: (r) => r.eclipsedFraction },
  ...outboundColumns<NetworkSample>(),
  { header: 'addrmanNew', value: (r) => r.addrmanNew },
  { header: 'addrmanNewAttacker', value: (r) => r.addrmanNewAttacker },
  { header: 'addrmanTried', value: (r) => r.addrmanTried },
  { header: 'addrmanTriedAttacker', value: (r) => r.addrmanTriedAttacker },
  ...percentileColumns<NetworkSample>('distinctNetgroups', (r) => r.distinctNetgroups),
  ...percentileColumns<NetworkSample>('distinctAsns', (r) => r.distinctAsns),
  ...percentileColumns<NetworkSample>('netgroupEntropyBits', (r) => r.netgroupEntropyBits),
  ...percentileColumns<NetworkSample>('asnEntropyBits', (r) => r.asnEntropyBits),
  ...percentileColumns<NetworkSample>('inboundTopNetgroupShare', (r) => r.inboundTopNetgroupShare),
];

/** One value of data/series.csv (the sampled series in long, "tidy" form). */
interface LongRow {
  tMicros: number;
  scope: 'network' | 'victim';
  node: number | null;
  metric: string;
  value: number | null;
}

const ID_HEADERS = new Set(['tMicros', 'nodeId', 'role']);

/**
 * The wide rows as long rows: one per (row, column) but the id columns, the metric named by the
 * wide CSV's header (booleans as 1/0, empty cells as null), so series.csv and the wide files agree.
 */
function melt<T extends { tMicros: number }>(rows: readonly T[], columns: readonly CsvColumn<T>[], scope: LongRow['scope'], nodeOf: (r: T) => number | null, out: LongRow[]): void {
  const metrics = columns.filter((c) => !ID_HEADERS.has(c.header));
  for (const r of rows) {
    for (const c of metrics) {
      const v = c.value(r);
      out.push({ tMicros: r.tMicros, scope, node: nodeOf(r), metric: c.header, value: typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : null });
    }
  }
}

/**
 * data/series.csv: every sampled series in long form, one row per time × scope (all honest nodes,
 * or one victim) × metric: loads in one line of pandas (README.md, "The run directory").
 */
export function seriesCsv(result: RunResult): string {
  const rows: LongRow[] = [];
  melt(result.series.network, NETWORK_COLUMNS, 'network', () => null, rows);
  melt(result.series.victims, NODE_COLUMNS, 'victim', (r) => r.nodeId, rows);
  return toCsv(rows, [
    { header: 'tMicros', value: (r) => r.tMicros },
    { header: 'scope', value: (r) => r.scope },
    { header: 'node', value: (r) => r.node },
    { header: 'metric', value: (r) => r.metric },
    { header: 'value', value: (r) => r.value },
  ]);
}

/** One CSV per series of the run, in a fixed order with fixed columns (files: data/<name>.csv). */
export function chartDataCsv(result: RunResult): { name: string; csv: string }[] {
  const ttd = result.events.timeToDisconnect.flatMap((d) => d.quantilesMicros.map((q, i) => ({ reason: d.reason, count: d.count, p: i / 100, q })));
  return [
    { name: 'series', csv: seriesCsv(result) },
    { name: 'network-samples', csv: toCsv(result.series.network, NETWORK_COLUMNS) },
    { name: 'victim-samples', csv: toCsv(result.series.victims, NODE_COLUMNS) },
    { name: 'final-node-samples', csv: toCsv(result.series.finalNodes, NODE_COLUMNS) },
    {
      name: 'victim-inbound-netgroups',
      csv: toCsv(result.series.victimInboundNetgroups, [
        { header: 'nodeId', value: (r) => r.nodeId },
        { header: 'netgroupHex', value: (r) => r.netgroupHex },
        { header: 'count', value: (r) => r.count },
        { header: 'attacker', value: (r) => r.attacker },
      ]),
    },
    {
      name: 'time-to-eclipse',
      csv: toCsv(result.eclipses, [
        { header: 'nodeId', value: (r) => r.nodeId },
        { header: 'timeToEclipseMicros', value: (r) => r.timeToEclipseMicros },
      ]),
    },
    {
      name: 'disconnects',
      csv: toCsv(result.events.disconnects, [
        { header: 'tMicros', value: (r) => r.tMicros },
        { header: 'binMicros', value: () => result.events.binMicros },
        { header: 'reason', value: (r) => r.reason },
        { header: 'count', value: (r) => r.count },
      ]),
    },
    {
      name: 'time-to-disconnect',
      csv: toCsv(ttd, [
        { header: 'reason', value: (r) => r.reason },
        { header: 'count', value: (r) => r.count },
        { header: 'quantile', value: (r) => r.p },
        { header: 'durationMicros', value: (r) => r.q },
      ]),
    },
    {
      name: 'connection-churn',
      csv: toCsv(result.events.connections, [
        { header: 'tMicros', value: (r) => r.tMicros },
        { header: 'binMicros', value: () => result.events.binMicros },
        { header: 'connType', value: (r) => r.connType },
        { header: 'opened', value: (r) => r.opened },
        { header: 'closed', value: (r) => r.closed },
      ]),
    },
    {
      name: 'evictions',
      csv: toCsv(result.events.evictions, [
        { header: 'reason', value: (r) => r.reason },
        { header: 'count', value: (r) => r.count },
      ]),
    },
    {
      name: 'bytes-by-message',
      csv: toCsv(result.bytes, [
        { header: 'msgType', value: (r) => r.msgType },
        { header: 'sentBytes', value: (r) => r.sentBytes },
        { header: 'recvBytes', value: (r) => r.recvBytes },
        { header: 'sentMessages', value: (r) => r.sentMessages },
        { header: 'recvMessages', value: (r) => r.recvMessages },
      ]),
    },
    {
      name: 'marks',
      csv: toCsv(result.marks, [
        { header: 'tMicros', value: (r) => r.tMicros },
        { header: 'label', value: (r) => r.label },
      ]),
    },
    {
      name: 'checks',
      csv: toCsv(result.checks, [
        { header: 'name', value: (r) => r.name },
        { header: 'passed', value: (r) => r.passed },
        { header: 'detail', value: (r) => r.detail },
      ]),
    },
  ];
}

/** The file name of the per-connection log in a run directory's data/. */
export const CONNECTION_LOG_FILE = 'connections.csv';

/** The columns of data/connections.csv, in order (documented in README.md, "The run directory"). */
export const CONNECTION_LOG_COLUMNS: readonly CsvColumn<ConnectionLogRow>[] = [
  { header: 'openMicros', value: (r) => r.openMicros },
  { header: 'closeMicros', value: (r) => r.closeMicros },
  { header: 'node', value: (r) => r.node },
  { header: 'peer', value: (r) => r.peer },
  { header: 'peerNode', value: (r) => r.peerNode },
  { header: 'connType', value: (r) => r.connType },
  { header: 'network', value: (r) => r.network },
  { header: 'netgroup', value: (r) => r.netgroupHex },
  { header: 'asn', value: (r) => r.asn },
  { header: 'attacker', value: (r) => r.attacker },
  { header: 'handshake', value: (r) => r.handshake },
  { header: 'closeReason', value: (r) => r.closeReason },
  { header: 'evictionRule', value: (r) => r.evictionRule },
];

/** data/connections.csv's header line (CRLF-ended). */
export function connectionLogHeader(): string {
  return csvHeader(CONNECTION_LOG_COLUMNS);
}

/** One connection's line of data/connections.csv (CRLF-ended). */
export function connectionLogLine(row: ConnectionLogRow): string {
  return csvLine(row, CONNECTION_LOG_COLUMNS);
}

/** Thrown by parseRunResult when a value is not a RunResult this version can read. */
export class RunResultError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that a parsed JSON value has a RunResult's structure (format version, identity fields,
 * every series and aggregate array present) and returns it typed. It does not re-derive the
 * aggregates; a hand-edited file with inconsistent numbers still charts what it says.
 */
export function parseRunResult(value: unknown): RunResult {
  if (!isObject(value)) throw new RunResultError('not a JSON object');
  if (value.formatVersion !== RUN_RESULT_FORMAT_VERSION) {
    throw new RunResultError(`formatVersion is ${JSON.stringify(value.formatVersion)}, this connsim reads ${RUN_RESULT_FORMAT_VERSION}`);
  }
  const id = value.identity;
  if (!isObject(id)) throw new RunResultError('identity is missing');
  for (const k of ['scenario', 'seed', 'profile', 'traceDigest', 'codeVersion', 'reproduce']) {
    if (typeof id[k] !== 'string') throw new RunResultError(`identity.${k} must be a string`);
  }
  for (const k of ['durationMicros', 'sampleIntervalMicros', 'attackStartMicros', 'honestNodes', 'attackerNodes', 'eventsProcessed']) {
    if (typeof id[k] !== 'number' || !Number.isFinite(id[k])) throw new RunResultError(`identity.${k} must be a finite number`);
  }
  if (!Array.isArray(id.params) || !Array.isArray(id.victimIds)) throw new RunResultError('identity.params and identity.victimIds must be arrays');
  const series = value.series;
  if (!isObject(series)) throw new RunResultError('series is missing');
  for (const k of ['network', 'victims', 'finalNodes', 'victimInboundNetgroups']) {
    if (!Array.isArray(series[k])) throw new RunResultError(`series.${k} must be an array`);
  }
  const events = value.events;
  if (!isObject(events)) throw new RunResultError('events is missing');
  if (typeof events.binMicros !== 'number' || !(events.binMicros > 0)) throw new RunResultError('events.binMicros must be a positive number');
  for (const k of ['disconnects', 'timeToDisconnect', 'connections', 'evictions']) {
    if (!Array.isArray(events[k])) throw new RunResultError(`events.${k} must be an array`);
  }
  for (const k of ['bytes', 'marks', 'checks', 'eclipses']) {
    if (!Array.isArray(value[k])) throw new RunResultError(`${k} must be an array`);
  }
  return value as unknown as RunResult;
}
