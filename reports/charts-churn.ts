// Connection-churn and traffic charts: connections opened (up) and closed (down) over time by
// connection type, evictions by the rule that chose them, and bytes sent and received per P2P
// message type. Pure functions from a RunResult to Chart records.

import {
  connTypeScale,
  durationLabel,
  evictionReasonScale,
  noDataChart,
  specFrame,
  timeChart,
  timeScale,
  timeTooltip,
  timeX,
  type Chart,
  type TimeScale,
} from './chart-kit.ts';
import { CONN_TYPE_NAMES, EVICTION_REASONS, type RunResult } from './run-result.ts';

function connectionsOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'churn-connections-over-time';
  const title = 'Connections opened and closed over time by type';
  const ev = result.events;
  const rows: Array<{ t: number; tEnd: number; connType: string; change: string; count: number; signed: number }> = [];
  for (const b of ev.connections) {
    const t = b.tMicros / ts.divisor;
    const tEnd = (b.tMicros + ev.binMicros) / ts.divisor;
    if (b.opened > 0) rows.push({ t, tEnd, connType: b.connType, change: 'opened', count: b.opened, signed: b.opened });
    if (b.closed > 0) rows.push({ t, tEnd, connType: b.connType, change: 'closed', count: b.closed, signed: -b.closed });
  }
  if (rows.length === 0) return noDataChart(result, name, 'churn', title, 'no connection was opened or closed during the run');
  const yTitle = `Connections per ${durationLabel(ev.binMicros)} (opened ↑, closed ↓)`;
  return timeChart(
    result,
    ts,
    { name, family: 'churn', title, subtitle: `every honest node, in ${durationLabel(ev.binMicros)} bins`, yTitle },
    [
      {
        data: { values: rows },
        mark: { type: 'bar', stroke: null },
        encoding: {
          x: { ...timeX(ts), bin: 'binned' },
          x2: { field: 'tEnd' },
          y: { field: 'signed', type: 'quantitative', title: yTitle, stack: 'zero' },
          color: { field: 'connType', type: 'nominal', title: 'connection type', scale: connTypeScale(CONN_TYPE_NAMES.filter((c) => rows.some((r) => r.connType === c))) },
          tooltip: [
            timeTooltip(ts),
            { field: 'connType', type: 'nominal', title: 'connection type' },
            { field: 'change', type: 'nominal', title: 'change' },
            { field: 'count', type: 'quantitative', title: 'connections', format: ',d' },
          ],
        },
      },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#666666' }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
    ],
  );
}

function evictionReasons(result: RunResult): Chart {
  const name = 'churn-eviction-reasons';
  const title = 'Evictions by reason';
  const rows = result.events.evictions.filter((e) => e.count > 0);
  if (rows.length === 0) return noDataChart(result, name, 'churn', title, 'no peer was evicted during the run');
  const total = rows.reduce((a, e) => a + e.count, 0);
  const xTitle = 'Evictions (count)';
  const yTitle = 'Eviction rule';
  return {
    name,
    family: 'churn',
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...specFrame(result, title, `${total} evictions over the run, all honest nodes`),
      height: { step: 24 },
      data: { values: rows.map((e) => ({ reason: e.reason, count: e.count, fraction: e.count / total })) },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'reason', type: 'nominal', title: yTitle, sort: [...EVICTION_REASONS] },
        x: { field: 'count', type: 'quantitative', title: xTitle },
        color: { field: 'reason', type: 'nominal', scale: evictionReasonScale(), legend: null },
        tooltip: [
          { field: 'reason', type: 'nominal', title: 'rule' },
          { field: 'count', type: 'quantitative', title: 'evictions', format: ',d' },
          { field: 'fraction', type: 'quantitative', title: 'of all evictions', format: '.1%' },
        ],
      },
    },
  };
}

function bytesByMessage(result: RunResult): Chart {
  const name = 'churn-bytes-by-message';
  const title = 'Bytes sent and received per message type';
  const rows: Array<{ msgType: string; direction: string; bytes: number; messages: number }> = [];
  for (const m of result.bytes) {
    if (m.sentBytes > 0) rows.push({ msgType: m.msgType, direction: 'sent', bytes: m.sentBytes, messages: m.sentMessages });
    if (m.recvBytes > 0) rows.push({ msgType: m.msgType, direction: 'received', bytes: m.recvBytes, messages: m.recvMessages });
  }
  if (rows.length === 0) return noDataChart(result, name, 'churn', title, 'no message was sent or received');
  // Order the message types by total traffic, largest first (ties by name).
  const order = [...result.bytes]
    .filter((m) => m.sentBytes + m.recvBytes > 0)
    .sort((a, b) => b.sentBytes + b.recvBytes - (a.sentBytes + a.recvBytes) || (a.msgType < b.msgType ? -1 : a.msgType > b.msgType ? 1 : 0))
    .map((m) => m.msgType);
  const xTitle = 'Bytes on the wire, all honest nodes (log scale)';
  const yTitle = 'Message type';
  return {
    name,
    family: 'churn',
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...specFrame(result, title, 'header (24 B) included; one dot per direction'),
      height: { step: 20 },
      data: { values: rows },
      layer: [
        {
          mark: { type: 'rule', color: '#bbbbbb' },
          encoding: {
            y: { field: 'msgType', type: 'nominal', title: yTitle, sort: order },
            x: { aggregate: 'min', field: 'bytes', type: 'quantitative', title: xTitle, scale: { type: 'log' }, axis: { format: '~s' } },
            x2: { aggregate: 'max', field: 'bytes' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: {
            y: { field: 'msgType', type: 'nominal', title: yTitle, sort: order },
            x: { field: 'bytes', type: 'quantitative', title: xTitle, scale: { type: 'log' }, axis: { format: '~s' } },
            color: { field: 'direction', type: 'nominal', title: 'direction', scale: { domain: ['sent', 'received'], range: ['#4c78a8', '#f58518'] } },
            tooltip: [
              { field: 'msgType', type: 'nominal', title: 'message type' },
              { field: 'direction', type: 'nominal', title: 'direction' },
              { field: 'bytes', type: 'quantitative', title: 'bytes', format: ',d' },
              { field: 'messages', type: 'quantitative', title: 'messages', format: ',d' },
            ],
          },
        },
      ],
    },
  };
}

/** Every churn and traffic chart, in report order. */
export function churnCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  return [connectionsOverTime(result, ts), evictionReasons(result), bytesByMessage(result)];
}
