// The analytic ping path (scenarios/host/analytic-ping.ts) against the reference path that sends every
// ping and pong as a message: the same worlds, run both ways, must agree on everything observable
// — every node's getpeerinfo (bytes per message type, last send / receive, ping times, ping wait),
// byte and message totals, AddrMan contents, and every built-in scenario's metrics and checks —
// while the analytic path processes far fewer events. Only the trace digest and the event count
// differ, by design. The worlds include faults, crashes, graceful restarts, the RPC ping, an upload
// target, latency regions and the block logic, which are the moments the path hands back to messages.
// The built-in scenarios run both ways in analytic-ping-builtin.test.ts.
import { describe, expect, it } from 'vitest';
import { hours, minutes, seconds, type Micros } from '../../sim/index.ts';
import { populationLatency } from '../world/population.ts';
import { World, type WorldOptions } from '../world/world.ts';
import { firstDifference, jsonOf } from './analytic-ping.test-helper.ts';

/** Everything the world's running nodes expose: getpeerinfo, totals, AddrMan. */
function observe(world: World): string {
  const out: unknown[] = [];
  for (const n of world.nodes) {
    const c = n.connman;
    if (c === undefined) {
      out.push(null);
      continue;
    }
    const totals = c.msgTotals();
    out.push({
      stats: c.getNodeStats(),
      recv: c.getTotalBytesRecv(),
      sent: c.getTotalBytesSent(),
      msgSent: [...totals.sent.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      msgRecv: [...totals.recv.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      addrman: c.addrman.size(),
    });
  }
  return jsonOf(out);
}

interface Step {
  at: Micros;
  act?: (w: World) => void;
}

/** Runs the same world both ways, comparing observations at every step. */
function compareWorlds(options: WorldOptions, steps: Step[]): { messages: number; analytic: number } {
  const worlds = [new World({ ...options, analyticPings: false }), new World({ ...options, analyticPings: true })];
  for (const step of steps) {
    const seen = worlds.map((w) => {
      w.runUntil(step.at);
      step.act?.(w);
      return observe(w);
    });
    expect(firstDifference(seen[1]!, seen[0]!), `state at ${step.at} µs`).toBe('');
  }
  return { messages: worlds[0]!.kernel.processed, analytic: worlds[1]!.kernel.processed };
}

describe('analytic pings agree with pings sent as messages', () => {
  it('in a quiet 40-node world over six hours, with far fewer events', () => {
    const steps: Step[] = [];
    for (let t = minutes(7); t <= hours(6); t += minutes(37)) steps.push({ at: t });
    const ev = compareWorlds({ seed: 21, nodes: 40, listeningShare: 0.5 }, steps);
    // Measured: 824k events on messages, 434k analytic (this small world spends most of its events
    // on feelers and connection churn; a 200-node baseline over 6 h goes from 2.4 M to 0.22 M).
    expect(ev.analytic).toBeLessThan(ev.messages * 0.6);
  });

  it('across latency regions, a partition and its removal, crashes, restarts, the RPC ping and an upload target', () => {
    let fault = 0;
    const steps: Step[] = [
      { at: minutes(20) },
      { at: minutes(31), act: (w) => w.crashNode(3) },
      { at: minutes(40), act: (w) => { fault = w.addFault({ type: 'partition', a: w.nodes.slice(0, 15).map((n) => n.host) }); } },
      { at: minutes(55) },
      { at: minutes(75), act: (w) => w.removeFault(fault) },
      { at: minutes(80), act: (w) => w.restartNode(5, seconds(30)) },
      { at: minutes(83), act: (w) => w.nodes[7]!.connman!.sendPings() },
      { at: minutes(90), act: (w) => w.nodes[8]!.connman!.setMaxOutboundTarget(5_000_000) },
      { at: minutes(95), act: (w) => w.startNode(3) },
      { at: minutes(150) },
      { at: minutes(151) },
    ];
    compareWorlds({ seed: 22, nodes: 30, listeningShare: 0.5, regions: 4, latency: populationLatency(4) }, steps);
  });

  it('in the upload target\'s cycle when a target is set after more than 24 hours', () => {
    // getnettotals' uploadtarget fields read the cycle Core's RecordBytesSent keeps over every
    // byte sent (the cycle starts at the first send after the previous one ended); the analytic
    // path's ping bytes must land in the cycle their send times fall in. Each step sets a target
    // on one more node, then reads every node's cycle; the first cycle ends 24 h after the first send.
    const cycles = (w: World): string =>
      jsonOf(
        w.nodes.map((n) => {
          const c = n.connman;
          if (c === undefined) return null;
          // A read of the totals settles the analytic traffic: the cycle behind the fields is then comparable on every node.
          const sent = c.getTotalBytesSent();
          return { sent, limit: c.getMaxOutboundTarget(), left: c.getMaxOutboundTimeLeftInCycle(), bytesLeft: c.getOutboundTargetBytesLeft(), reached: [c.outboundTargetReached(false), c.outboundTargetReached(true)], cycle: [c.uploadTarget.cycleStartMicros, c.uploadTarget.sentInCycle] };
        }),
      );
    // Six listening nodes with two outbound peers each: a world this small whose nodes want more
    // outbound peers than it has netgroups spins in AddrMan's Select (see PORTING.md), and slowly.
    const small: WorldOptions = { seed: 24, nodes: 6, listeningShare: 1, connman: { maxOutboundFullRelay: 2, maxBlockRelayOnly: 0, feelers: false } };
    const worlds = [new World({ ...small, analyticPings: false }), new World({ ...small, analyticPings: true })];
    const steps: [Micros, number][] = [
      [hours(23) + minutes(59), 0],
      [hours(24) + seconds(37), 1],
      [hours(24) + minutes(3), 2],
      [hours(25), 3],
      [hours(25) + minutes(1), -1],
    ];
    for (const [at, node] of steps) {
      const seen = worlds.map((w) => {
        w.runUntil(at);
        if (node >= 0) w.nodes[node]!.connman!.setMaxOutboundTarget(50_000_000);
        return cycles(w);
      });
      expect(firstDifference(seen[1]!, seen[0]!), `upload cycles at ${at} µs`).toBe('');
    }
  });

  it('with the block logic on', () => {
    const steps: Step[] = [];
    for (let t = minutes(13); t <= hours(3); t += minutes(29)) steps.push({ at: t });
    compareWorlds({ seed: 23, nodes: 25, listeningShare: 0.5, blocks: true }, steps);
  });
});
