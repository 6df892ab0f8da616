// -connect / -noconnect (spec §5.1) and anchors (§19) through a Connman over the fake ports: the
// pacing of the -connect loop (min(nLoop, 10) × 500 ms after each entry, 500 ms per round), the
// absence of automatic, anchor, feeler and addr-fetch connections, and anchors.dat being read and
// written only with automatic outbound. It does not test added nodes (added-nodes.test.ts).

import { describe, expect, it } from 'vitest';
import { ANCHORS_DAT, Connman, ConnectionDirection } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { dumpAnchors } from '../addrman/addrdb.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { NetAddr, serviceOrThrow, type Service } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const MS = 1000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const T0 = 1_700_000_000_000_000;

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  files: FakeFileStore;
  log: EventLog;
  cm: Connman;
  /** Outbound connect attempts: target and time since start. */
  tries: { addr: string; at: number }[];
}

function makeWorld(opts: Partial<ConnmanOptions>, nAddrs = 30, files = new FakeFileStore()): World {
  const sched = new FakeScheduler(T0);
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files, dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }).connman;
  const now = Math.floor(T0 / S);
  for (let i = 0; i < nAddrs; i++) {
    cm.addrman.add([new Address(serviceOrThrow(`${20 + i}.${i}.1.1:8333`, 8333), NODE_NETWORK | NODE_WITNESS, now - 3600)], NetAddr.fromIPv4(0x05060708));
  }
  const tries: { addr: string; at: number }[] = [];
  const orig = transport.connect.bind(transport);
  transport.connect = (to: Service, t: number) => {
    tries.push({ addr: to.toStringAddrPort(), at: sched.nowMicros() - T0 });
    return orig(to, t);
  };
  return { sched, transport, files, log, cm, tries };
}

/** Core's -connect loop with every connect failing after `failMicros`. */
function expectedConnectSchedule(list: string[], failMicros: number, count: number): { addr: string; at: number }[] {
  const out: { addr: string; at: number }[] = [];
  let t = 0;
  for (let nLoop = 0; out.length < count; nLoop++) {
    for (const a of list) {
      out.push({ addr: a, at: t });
      t += failMicros;
      t += Math.min(nLoop, 10) * 500 * MS;
    }
    t += 500 * MS;
  }
  return out.slice(0, count);
}

describe('-connect mode (§5.1)', () => {
  it('retries the list forever, pacing min(nLoop, 10) × 500 ms after each entry plus 500 ms per round', () => {
    const w = makeWorld({ connect: ['70.1.1.1', '71.1.1.1:8444'] });
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(200 * S);
    const want = expectedConnectSchedule(['70.1.1.1:8333', '71.1.1.1:8444'], w.transport.connectDelayMicros, 40);
    expect(w.tries.slice(0, 40)).toEqual(want);
  });

  it('makes MANUAL connections only: no automatic, feeler, anchor or addr-fetch connection, ever', () => {
    const files = new FakeFileStore();
    const anchor = new Address(serviceOrThrow('80.1.1.1:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    files.write(ANCHORS_DAT, dumpAnchors('main', [anchor]));
    const w = makeWorld({ connect: ['70.1.1.1'], seedNodes: ['25.0.0.1'] }, 30, files);
    w.cm.start();
    w.cm.addAddrFetch('26.0.0.1');
    w.cm.setTryNewOutboundPeer(true);
    w.cm.startExtraBlockRelayPeers();
    w.sched.runFor(60 * 60 * S);
    expect(w.cm.getNodes().map((n) => [n.addrName, n.connType])).toEqual([['70.1.1.1', ConnectionType.MANUAL]]);
    const types = new Set(w.log.ofKind('connect-attempt').map((e) => e.connType));
    expect([...types]).toEqual([ConnectionType.MANUAL]);
    // Anchors are neither read nor deleted nor written.
    expect(w.log.ofKind('anchors-read')).toEqual([]);
    expect(w.files.files.has(ANCHORS_DAT)).toBe(true);
    expect(w.cm.getAnchors()).toEqual([]);
    w.cm.stop();
    expect(w.log.ofKind('anchors-dumped')).toEqual([]);
    expect(w.cm.getUseAddrmanOutgoing()).toBe(false);
  });

  it('a connected -connect entry is not dialled again (AlreadyConnectedToHost) until it goes away', () => {
    const w = makeWorld({ connect: ['70.1.1.1'] });
    w.cm.start();
    w.sched.runFor(30 * S);
    expect(w.tries.length).toBe(1);
    const n = w.cm.getNodes()[0]!;
    w.transport.remoteClose(n.conn);
    w.sched.runFor(10 * S);
    expect(w.tries.length).toBe(2);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(1);
  });

  it('-noconnect: no ThreadOpenConnections at all, added nodes still connect', () => {
    const files = new FakeFileStore();
    files.write(ANCHORS_DAT, dumpAnchors('main', [new Address(serviceOrThrow('80.1.1.1:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0)]));
    const w = makeWorld({ connect: [], addedNodes: ['90.1.1.1'], seedNodes: ['25.0.0.1'] }, 30, files);
    w.cm.start();
    w.sched.runFor(10 * 60 * S);
    expect(w.tries.map((t) => t.addr)).toEqual(['90.1.1.1:8333']);
    expect(w.cm.getNodes().map((n) => n.connType)).toEqual([ConnectionType.MANUAL]);
    expect(w.files.files.has(ANCHORS_DAT)).toBe(true);
    expect(w.log.ofKind('anchors-read')).toEqual([]);
  });
});

describe('anchors (§19) only with automatic outbound', () => {
  it('with automatic outbound, anchors are read, deleted, dialled first as BLOCK_RELAY, and dumped at stop', () => {
    const files = new FakeFileStore();
    const anchors = ['80.1.1.1:8333', '81.1.1.1:8333', '82.1.1.1:8333'].map(
      (s) => new Address(serviceOrThrow(s, 8333), NODE_NETWORK | NODE_WITNESS, 0),
    );
    files.write(ANCHORS_DAT, dumpAnchors('main', anchors));
    const w = makeWorld({ feelers: false }, 30, files);
    w.cm.start();
    // At most MAX_BLOCK_RELAY_ONLY_ANCHORS (2) are kept.
    expect(w.log.ofKind('anchors-read')).toEqual([{ kind: 'anchors-read', count: 2 }]);
    expect(files.files.has(ANCHORS_DAT)).toBe(false);
    w.sched.runFor(30 * S);
    expect(w.tries.slice(0, 2).map((t) => t.addr)).toEqual(['81.1.1.1:8333', '80.1.1.1:8333']);
    const first = w.cm.getNodes().slice(0, 2);
    expect(first.map((n) => n.connType)).toEqual([ConnectionType.BLOCK_RELAY, ConnectionType.BLOCK_RELAY]);
    w.cm.stop();
    expect(w.log.ofKind('anchors-dumped')).toEqual([{ kind: 'anchors-dumped', count: 2 }]);
    expect(files.files.has(ANCHORS_DAT)).toBe(true);
  });

  it('an anchor that fails is dropped and a normal block-relay peer takes the slot', () => {
    const files = new FakeFileStore();
    files.write(ANCHORS_DAT, dumpAnchors('main', [new Address(serviceOrThrow('80.1.1.1:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0)]));
    const w = makeWorld({ feelers: false }, 30, files);
    w.transport.policy = (to) => (to.toStringAddr() === '80.1.1.1' ? 'refused' : 'accept');
    w.cm.start();
    w.sched.runFor(30 * S);
    expect(w.tries.filter((t) => t.addr === '80.1.1.1:8333').length).toBe(1);
    expect(w.cm.getAnchors()).toEqual([]);
    expect(w.cm.getNodes().filter((n) => n.connType === ConnectionType.BLOCK_RELAY).length).toBe(2);
  });
});
