// Transaction relay across a simulated network of unchanged Core connection managers, fed by the
// Poisson TxSource: transactions reach every node within seconds over the inv trickle, peers that
// relayed new transactions carry a last-tx time (eviction's protection input), block-relay-only
// links carry no tx traffic, nothing happens without a source, and the run is deterministic.
import { describe, expect, it } from 'vitest';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import type { ConnmanEvent } from '../../connman/ports.ts';
import { minutes, seconds } from '../../sim/index.ts';
import { TxSource } from './tx-source.ts';
import { World } from './world.ts';

type Ev<K extends ConnmanEvent['kind']> = Extract<ConnmanEvent, { kind: K }>;

function reproduce(seed: number, what: string): string {
  return `${what} (seed ${seed}; reproduce: npx vitest run scenarios/world/tx-relay.test.ts -t "${what}")`;
}

describe('transactions spread over a 30-node network', () => {
  const seed = 8;
  const world = new World({ seed, nodes: 30, listeningShare: 0.5, keepEventLog: true, startWindowMicros: seconds(20) });
  // Let the network form, then 0.5 tx/s network-wide for 7 minutes (within the 10-minute mempool
  // lifetime, so every tx is still held when checked).
  world.runUntil(minutes(5));
  const source = new TxSource(world, { ratePerSecond: 0.5 });
  world.runUntil(minutes(12));
  const last = source.submitted;
  world.runUntil(minutes(13));

  it('every transaction reaches every node', () => {
    expect(last).toBeGreaterThan(150);
    for (const n of world.nodes) {
      const tx = n.context!.peerman.tx;
      let have = 0;
      for (let id = 1; id <= last; id++) if (tx.hasTx(id)) have++;
      expect(have, reproduce(seed, 'every transaction reaches every node')).toBe(last);
    }
  });

  it('most transactions are accepted within 10 s of their first appearance', () => {
    const first = new Map<number, number>();
    const delays: number[] = [];
    for (const r of world.events.log) {
      if (r.event.kind !== 'tx-accepted') continue;
      const e = r.event as Ev<'tx-accepted'>;
      if (e.txid > last) continue;
      if (e.nodeId === -1) first.set(e.txid, r.time);
      else delays.push(r.time - first.get(e.txid)!);
    }
    delays.sort((a, b) => a - b);
    // Each tx accepted once by each of the other 29 nodes: no duplicates.
    expect(delays.length).toBe(29 * last);
    expect(delays[Math.floor(delays.length * 0.9)]!, reproduce(seed, 'most transactions are accepted')).toBeLessThan(seconds(10));
  });

  it('peers that relayed new transactions carry a last-tx time', () => {
    let withTime = 0;
    for (const n of world.nodes) for (const p of n.connman!.getNodes()) if (p.lastTxTimeSeconds > 0) withTime++;
    expect(withTime).toBeGreaterThan(30);
  });

  it('block-relay-only connections never carry tx announcements', () => {
    const blockConns = new Set<string>();
    for (const r of world.events.log) {
      if (r.event.kind === 'connection-opened' && r.event.connType === ConnectionType.BLOCK_RELAY) blockConns.add(`${r.node}/${r.event.nodeId}`);
    }
    expect(blockConns.size).toBeGreaterThan(10);
    const leaks = world.events.find((r) => (r.event.kind === 'tx-inv-sent' || r.event.kind === 'tx-accepted') && blockConns.has(`${r.node}/${r.event.nodeId}`));
    expect(leaks, reproduce(seed, 'block-relay-only connections')).toEqual([]);
  });
});

describe('without a tx source', () => {
  it('no transaction event happens at all', () => {
    const world = new World({ seed: 2, nodes: 30, startWindowMicros: seconds(10) });
    world.runUntil(minutes(10));
    expect(world.events.counts.get('tx-inv-sent') ?? 0).toBe(0);
    expect(world.events.counts.get('tx-accepted') ?? 0).toBe(0);
  });
});

describe('tx relay determinism', () => {
  function run(seed: number): string {
    const world = new World({ seed, nodes: 30, startWindowMicros: seconds(10) });
    new TxSource(world, { ratePerSecond: 1, startMicros: minutes(2) });
    world.runUntil(minutes(8));
    const c = world.events.counts;
    return `${world.digest()}|${c.get('tx-inv-sent') ?? 0}|${c.get('tx-accepted') ?? 0}`;
  }

  it('the same network twice gives the same digest and tx counts', () => {
    const a = run(4);
    expect(run(4), 'seed 4 twice').toBe(a);
    expect(Number(a.split('|')[2])).toBeGreaterThan(100);
  });
});
