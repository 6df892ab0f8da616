// Inactivity-timeout charts: disconnects over time stacked by reason, and the distribution of the
// time from connect to disconnect per reason (ECDF on a log time axis, since a 5 s connect
// timeout and a 20 min ping timeout share one chart). Pure functions from a RunResult to Charts.

import { disconnectReasonScale, durationLabel, logSecondsAxis, noDataChart, secondsText, specFrame, timeChart, timeScale, timeTooltip, timeX, type Chart, type TimeScale } from './chart-kit.ts';
import { DISCONNECT_REASONS, type RunResult } from './run-result.ts';

function disconnectsOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'timeouts-disconnects-over-time';
  const title = 'Disconnects over time by reason';
  const ev = result.events;
  if (ev.disconnects.length === 0) return noDataChart(result, name, 'timeouts', title, 'no connection ended during the run');
  const rows = ev.disconnects.map((b) => ({
    t: b.tMicros / ts.divisor,
    tEnd: (b.tMicros + ev.binMicros) / ts.divisor,
    reason: b.reason,
    // Stack in the legend's order (timeouts at the bottom).
    reasonOrder: DISCONNECT_REASONS.indexOf(b.reason),
    count: b.count,
  }));
  const yTitle = `Disconnects per ${durationLabel(ev.binMicros)} (count)`;
  return timeChart(
    result,
    ts,
    { name, family: 'timeouts', title, subtitle: `every connection of every honest node, in ${durationLabel(ev.binMicros)} bins`, yTitle },
    [
      {
        data: { values: rows },
        mark: { type: 'bar', stroke: null },
        encoding: {
          x: { ...timeX(ts), bin: 'binned' },
          x2: { field: 'tEnd' },
          y: { field: 'count', type: 'quantitative', title: yTitle, stack: 'zero' },
          color: { field: 'reason', type: 'nominal', title: 'reason', scale: disconnectReasonScale() },
          order: { field: 'reasonOrder', type: 'quantitative' },
          tooltip: [
            timeTooltip(ts),
            { field: 'reason', type: 'nominal', title: 'reason' },
            { field: 'count', type: 'quantitative', title: 'disconnects', format: ',d' },
          ],
        },
      },
    ],
  );
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
        color: { field: 'reason', type: 'nominal', title: 'reason', scale: disconnectReasonScale() },
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

/** Every inactivity-timeout chart, in report order. */
export function timeoutCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  return [disconnectsOverTime(result, ts), timeToDisconnect(result)];
}
