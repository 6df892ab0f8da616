// Address relay across small simulated networks of unchanged Core connection managers: a node
// joining late fills its AddrMan with thousands of addresses within the hour (GETADDR answers and
// relay), an addr spammer has its excess dropped by the token bucket, block-relay-only links carry
// no addr traffic at all, and the run is deterministic.
import { describe, expect, it } from 'vitest';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { addrMessage } from '../../connman/protocol/messages.ts';
import type { ConnmanEvent } from '../../connman/ports.ts';
import { serviceOrThrow } from '../../connman/protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import { minutes, seconds } from '../../sim/index.ts';
import { simAddressOf } from './address-plan.ts';
import { DEFAULT_P2P_PORT, World } from './world.ts';
import { addScriptedPeer } from '../actors/scripted-peer.ts';

function reproduce(seed: number, what: string): string {
  return `${what} (seed ${seed}; reproduce: npx vitest run scenarios/world/addr-relay.test.ts -t "${what}")`;
}

type Ev<K extends ConnmanEvent['kind']> = Extract<ConnmanEvent, { kind: K }>;

describe('a late node learns the network through addr relay', () => {
  const seed = 21;
  const world = new World({ seed, nodes: 30, listeningShare: 0.5, keepEventLog: true, autoStart: false });
  // A pool of 4000 addresses of nodes outside the simulated world (no host answers them); DNS
  // seeders do not know them, only the nodes' AddrMans do.
  const pool = Array.from({ length: 4000 }, (_, i) => serviceOrThrow(`${11 + (i % 89)}.${Math.floor(i / 89) & 255}.${200 + (i % 7)}.9:8333`, 8333));
  const late = 29;
  // Every node but the late one starts with an AddrMan as a long-running node would have: 2000
  // addresses of the pool in its new table and the listening nodes in its tried table (so half of
  // its connection attempts reach live nodes). Their GETADDR answers then carry hundreds of entries.
  const pickRng = world.rng.fork('test/prefill');
  const nowS = Math.floor(world.clock.nowMicros() / 1e6);
  const listeners = world.nodes.filter((n) => n.listening && n.index !== late);
  for (let i = 0; i < late; i++) {
    const cm = world.startNode(i);
    const picks = pickRng.shuffle(pool.slice()).slice(0, 2000);
    const addrs = picks.map((a) => new Address(a, NODE_NETWORK | NODE_WITNESS, nowS - 3600 - pickRng.randrange(86400 * 3)));
    cm.addrman.add(addrs, world.nodes[i]!.address);
    for (const l of listeners) {
      if (l.index === i) continue;
      cm.addrman.add([new Address(l.service, NODE_NETWORK | NODE_WITNESS, nowS - 600)], world.nodes[i]!.address);
      cm.addrman.good(l.service);
    }
  }
  world.kernel.schedule(minutes(30), () => world.startNode(late));
  world.runUntil(minutes(90));

  it('the late node holds thousands of addresses an hour after starting', () => {
    const cm = world.nodes[late]!.connman!;
    const received = world.events.find((r) => r.node === late && r.event.kind === 'addr-received').map((r) => r.event as Ev<'addr-received'>);
    const stored = received.reduce((s, e) => s + e.stored, 0);
    expect(stored, reproduce(seed, 'the late node holds')).toBeGreaterThan(2000);
    expect(cm.addrman.size(), reproduce(seed, 'the late node holds')).toBeGreaterThan(1500);
  });

  it('self-announcements are relayed onwards', () => {
    const relayed = world.events.find((r) => r.event.kind === 'addr-received' && r.event.relayed > 0);
    expect(relayed.length).toBeGreaterThan(10);
    const sent = world.events.find((r) => r.event.kind === 'addr-sent' && r.event.selfAnnouncement);
    expect(sent.length).toBeGreaterThan(10);
  });

  it('block-relay-only connections never carry addr messages', () => {
    const blockConns = new Set<string>();
    for (const r of world.events.log) {
      if (r.event.kind === 'connection-opened' && r.event.connType === ConnectionType.BLOCK_RELAY) blockConns.add(`${r.node}/${r.event.nodeId}`);
    }
    expect(blockConns.size).toBeGreaterThan(20);
    const leaks = world.events.find(
      (r) =>
        (r.event.kind === 'addr-sent' || r.event.kind === 'addr-received' || r.event.kind === 'addr-ignored') &&
        blockConns.has(`${r.node}/${r.event.nodeId}`),
    );
    expect(leaks, reproduce(seed, 'block-relay-only connections')).toEqual([]);
  });
});

describe('an addr spammer', () => {
  it('has the excess over the token bucket dropped and counted', () => {
    const seed = 5;
    const world = new World({ seed, nodes: 6, listeningShare: 1, dnsSeeds: 7, keepEventLog: true });
    const target = world.nodes[0]!;
    const spammer = addScriptedPeer(world, { keepAliveMicros: minutes(1) });
    world.kernel.schedule(seconds(10), () => spammer.connect(simAddressOf(target.address), DEFAULT_P2P_PORT));
    const base = Math.floor(world.clock.nowMicros() / 1e6);
    let k = 0;
    const batch = (): Address[] =>
      Array.from({ length: 1000 }, () => {
        k++;
        return new Address(serviceOrThrow(`${11 + (k % 80)}.${(k >> 8) & 255}.${k & 255}.3:8333`, 8333), NODE_NETWORK | NODE_WITNESS, base);
      });
    for (let m = 0; m < 5; m++) {
      world.kernel.schedule(seconds(20 + 60 * m), () => {
        const c = spammer.openConnections()[0];
        if (c !== undefined) {
          const msg = addrMessage(batch());
          world.network.send(c.socket, msg, msg.sizeBytes);
        }
      });
    }
    world.runUntil(minutes(6));
    const spamAddr = spammer.service!.toStringAddrPort();
    const got = world.events
      .find((r) => r.node === 0 && r.event.kind === 'addr-received')
      .map((r) => r.event as Ev<'addr-received'>)
      .filter((e) => e.addr.startsWith(spamAddr.split(':')[0]!));
    expect(got.length).toBe(5);
    const processed = got.reduce((s, e) => s + e.processed, 0);
    const limited = got.reduce((s, e) => s + e.rateLimited, 0);
    expect(processed + limited).toBe(5000);
    // 1 start token plus 0.1 per second over the 240 s between the first and last message.
    expect(processed).toBeGreaterThanOrEqual(24);
    expect(processed).toBeLessThanOrEqual(26);
    const stats = world.nodes[0]!.connman!.getNodeStats().find((s) => s.addr.startsWith(spamAddr.split(':')[0]!))!;
    expect(stats.addrRateLimited).toBe(limited);
  });
});

describe('addr relay determinism', () => {
  function run(seed: number): string {
    const world = new World({ seed, nodes: 24, listeningShare: 0.5, staleAddresses: 200, startWindowMicros: seconds(20) });
    world.runUntil(minutes(30));
    const c = world.events.counts;
    return `${world.digest()}|${c.get('addr-sent') ?? 0}|${c.get('addr-received') ?? 0}|${c.get('getaddr-answered') ?? 0}`;
  }

  it('the same network twice gives the same digest and addr counts', () => {
    const a = run(3);
    expect(run(3), 'seed 3 twice').toBe(a);
    expect(Number(a.split('|')[1])).toBeGreaterThan(0);
  });
});
