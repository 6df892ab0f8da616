// Disconnect and inactivity-timeout charts: Core's inactivity timeouts over time (or a plain "none
// in this run"), every disconnect over time stacked by reason, and the distribution of the time
// from connect to disconnect per reason (ECDF on a log time axis, since a 5 s connect timeout and
// a 20 min ping timeout share one chart). Reasons are in Core's words (run-result.ts
// DISCONNECT_REASON_INFO). Also the sentence the report prints above these charts.
// Pure functions from a RunResult.

import { disconnectReasonScale, durationLabel, logSecondsAxis, noDataChart, secondsText, specFrame, timeChart, timeScale, timeTooltip, timeX, type Chart, type TimeScale } from './chart-kit.ts';
import { DISCONNECT_REASON_INFO, DISCONNECT_REASONS, INACTIVITY_TIMEOUT_REASONS, type DisconnectBin, type RunResult } from './run-result.ts';

/** Stacked bars of disconnects per time bin, one colour per reason. */
function disconnectBars(result: RunResult, ts: TimeScale, bins: readonly DisconnectBin[], head: { name: string; title: string; subtitle: string; yTitle: string }): Chart {
  const ev = result.events;
  const rows = bins.map((b) => ({
    t: b.tMicros / ts.divisor,
    tEnd: (b.tMicros + ev.binMicros) / ts.divisor,
    reason: b.reason,
    // Stack in the legend's order (timeouts at the bottom).
    reasonOrder: DISCONNECT_REASONS.indexOf(b.reason),
    count: b.count,
  }));
  return timeChart(result, ts, { ...head, family: 'timeouts' }, [
    {
      data: { values: rows },
      mark: { type: 'bar', stroke: null },
      encoding: {
        x: { ...timeX(ts), bin: 'binned' },
        x2: { field: 'tEnd' },
        y: { field: 'count', type: 'quantitative', title: head.yTitle, stack: 'zero' },
        color: { field: 'reason', type: 'nominal', title: 'reason', scale: disconnectReasonScale(rows.map((r) => r.reason)) },
        order: { field: 'reasonOrder', type: 'quantitative' },
        tooltip: [
          timeTooltip(ts),
          { field: 'reason', type: 'nominal', title: 'reason' },
          { field: 'count', type: 'quantitative', title: 'disconnects', format: ',d' },
        ],
      },
    },
  ]);
}

function inactivityTimeoutsOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'timeouts-inactivity-over-time';
  const title = "Inactivity timeouts over time (Core's InactivityCheck and ping timeout)";
  const ev = result.events;
  const bins = ev.disconnects.filter((b) => INACTIVITY_TIMEOUT_REASONS.includes(b.reason));
  if (bins.length === 0) {
    const others = ev.disconnects.reduce((a, b) => a + b.count, 0);
    return noDataChart(
      result,
      name,
      'timeouts',
      title,
      `no inactivity timeout in this run${others > 0 ? ` (its ${others.toLocaleString('en-US')} disconnects had other reasons: see below)` : ''}`,
    );
  }
  const yTitle = `Inactivity timeouts per ${durationLabel(ev.binMicros)} (count)`;
  return disconnectBars(result, ts, bins, {
    name,
    title,
    subtitle: `socket no message, handshake, send, receive and ping timeouts of every honest node, in ${durationLabel(ev.binMicros)} bins`,
    yTitle,
  });
}

function disconnectsOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'timeouts-disconnects-over-time';
  const title = 'Disconnects over time by reason';
  const ev = result.events;
  if (ev.disconnects.length === 0) return noDataChart(result, name, 'timeouts', title, 'no connection ended during the run');
  return disconnectBars(result, ts, ev.disconnects, {
    name,
    title,
    subtitle: `every connection of every honest node, in ${durationLabel(ev.binMicros)} bins; reasons as Core logs them`,
    yTitle: `Disconnects per ${durationLabel(ev.binMicros)} (count)`,
  });
}

/**
 * What the disconnect section of the report shows, in words: the inactivity timeouts (or that
 * there were none), then every reason with its count, share of attacker peers and meaning.
 */
export function disconnectSummary(result: RunResult): string {
  const by = new Map(result.events.timeToDisconnect.map((d) => [d.reason, d]));
  const n = (x: number) => x.toLocaleString('en-US');
  const total = result.events.timeToDisconnect.reduce((a, d) => a + d.count, 0);
  if (total === 0) return 'No connection ended during this run.';
  const inactivity = INACTIVITY_TIMEOUT_REASONS.flatMap((r) => (by.has(r) ? [by.get(r)!] : []));
  const inactivityTotal = inactivity.reduce((a, d) => a + d.count, 0);
  const first =
    inactivityTotal === 0
      ? 'No inactivity timeout in this run: Core\'s InactivityCheck and ping timeout dropped no connection.'
      : `Inactivity timeouts: ${n(inactivityTotal)} (${inactivity.map((d) => `${d.reason} ${n(d.count)}`).join(', ')}).`;
  const parts = DISCONNECT_REASON_INFO.flatMap((i) => {
    const d = by.get(i.reason);
    if (d === undefined) return [];
    const att = d.attackerPeers > 0 ? `, ${d.attackerPeers === d.count ? 'all' : n(d.attackerPeers)} with the attacker` : '';
    return [`${i.reason} ${n(d.count)} (${i.meaning}${att})`];
  });
  return `${first} All ${n(total)} disconnects of honest nodes, by reason: ${parts.join('; ')}.`;
}

function timeToDisconnect(result: RunResult): Chart {
  const name = 'timeouts-time-to-disconnect';
  const title = 'Time from connect to disconnect, by reason';
  const rows: Array<{ seconds: number; duration: string; fraction: number; reason: string; count: number }> = [];
  for (const d of result.events.timeToDisconnect) {
    // Quantile i of the 101-point grid is p = i/100; a log axis cannot show zero durations.
    d.quantilesMicros.forEach((q, i) => {
      if (q > 0) rows.push({ seconds: q / 1e6, duration: secondsText(q / 1e6), fraction: i / 100, reason: d.reason, count: d.count });
    });
  }
  if (rows.length === 0) return noDataChart(result, name, 'timeouts', title, 'no connection ended after a positive duration');
  const xTitle = 'Time from connect to disconnect (log scale)';
  const { scale: xScale, axis: xAxis } = logSecondsAxis(Math.min(...rows.map((r) => r.seconds)), Math.max(...rows.map((r) => r.seconds)));
  const yTitle = 'Disconnects of that reason (cumulative %)';
  return {
    name,
    family: 'timeouts',
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...specFrame(result, title, 'ECDF per reason from 101 quantiles; connect-timeout counts from the connect attempt'),
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'seconds', type: 'quantitative', title: xTitle, scale: xScale, axis: xAxis },
        y: { field: 'fraction', type: 'quantitative', title: yTitle, axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        color: { field: 'reason', type: 'nominal', title: 'reason', scale: disconnectReasonScale(rows.map((r) => r.reason)) },
        tooltip: [
          { field: 'reason', type: 'nominal', title: 'reason' },
          { field: 'count', type: 'quantitative', title: 'disconnects', format: ',d' },
          { field: 'fraction', type: 'quantitative', title: 'quantile', format: '.0%' },
          { field: 'duration', type: 'nominal', title: 'time to disconnect' },
        ],
      },
    },
  };
}

/** Every disconnect and inactivity-timeout chart, in report order. */
export function timeoutCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  return [inactivityTimeoutsOverTime(result, ts), disconnectsOverTime(result, ts), timeToDisconnect(result)];
}
