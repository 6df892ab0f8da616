// One bridge run: a small simulated world warmed up in fast-forward, then paced in real time with a
// real regtest bitcoind inside it. The node's outbound connections reach simulated nodes through the
// gateway's SOCKS5 proxy (its AddrMan is seeded with simulated addresses over RPC, then fills by
// gossip); simulated peers connect in to its P2P port: honest nodes by addnode, and optionally an
// inbound flood of Sybils (the inbound-sybils attacker of inbound-flood) that makes it evict. The
// node's getpeerinfo / getaddrmaninfo are read over RPC during the run, and the result puts it next
// to a simulated node read through the port's own RPC (connman/rpc/net.ts), in the same shape.
// It does not parse command lines (cli/bridge-command.ts) nor render (report.ts).

import * as net from 'node:net';
import { ConnectionDirection } from '../connman/net/connman.ts';
import { callRpc } from '../connman/rpc/net.ts';
import type { PeerInfo as SimPeerInfo } from '../connman/rpc/net.ts';
import { createAttacker } from '../scenarios/actors/create-attacker.ts';
import { attackerEnvFromWorld } from '../scenarios/actors/world-env.ts';
import { World } from '../scenarios/world/world.ts';
import { millis, type Micros } from '../sim/index.ts';
import { BitcoindProcess, NodeArgsError, checkNodeArgs, safeNodeArgs } from './bitcoind.ts';
import type { LinkRecord } from './gateway.ts';
import type { PacerStats } from './realtime.ts';
import type { AddrmanInfo, PeerInfo } from './rpc.ts';
import { REGTEST_MAGIC } from './wire.ts';
import { bridgeWorld } from './world-bridge.ts';

export interface BridgeRunOptions {
  /** Path of the bitcoind binary. */
  bitcoind: string;
  seed: string;
  /** Honest simulated nodes. */
  nodes: number;
  /** Simulated time run in fast-forward before the node joins (the world's AddrMans fill). */
  warmupMicros: Micros;
  /** Wall-clock length of the real-time part, in ms. */
  durationMs: number;
  /** Simulated addresses given to the node's AddrMan over RPC (addpeeraddress) at the start. */
  seedAddresses: number;
  /** Honest simulated nodes that connect in (addnode), right after the node starts. */
  honestInbound: number;
  /** Inbound Sybils (0: none), started `floodAtMs` after the node starts. */
  inboundSybils: number;
  floodAtMs: number;
  /** bitcoind -maxconnections (small values make inbound eviction reachable with few peers). */
  maxConnections?: number;
  /**
   * 'loopback': simulated inbound peers reach the node from 127.0.0.1 (the default).
   * 'simulated': each binds its TCP socket to its simulated IPv4 address, so the node sees it;
   * needs a network namespace where every IPv4 address is local (README: the namespace remedy).
   */
  inboundSource: 'loopback' | 'simulated';
  extraArgs: readonly string[];
  /** RPC polling interval, ms. */
  pollMs: number;
  log(line: string): void;
}

/** One poll of the node's RPC. */
export interface NodeSnapshot {
  wallMs: number;
  simMicros: Micros;
  outboundFullRelay: number;
  blockRelayOnly: number;
  inbound: number;
  other: number;
  addrmanTotal: number;
}

/** A node's view in getpeerinfo / getaddrmaninfo's shape, real or simulated. */
export interface NodeView {
  label: string;
  peers: readonly PeerInfo[];
  addrman: AddrmanInfo;
}

export interface BridgeRunResult {
  options: Omit<BridgeRunOptions, 'log' | 'bitcoind'> & { bitcoind: string };
  subversion: string;
  /** The node's getnetworkinfo at the end (its proxies, reachable networks, local addresses). */
  networkInfo: unknown;
  /** The node's address in the simulated world. */
  nodeAddress: string;
  real: NodeView;
  /** The simulated node with the most inbound peers, for comparison. */
  simulated: NodeView;
  snapshots: NodeSnapshot[];
  links: readonly LinkRecord[];
  refusedSocks: readonly { host: string; port: number; reason: string }[];
  /** The node's debug.log lines about inbound eviction. */
  evictionLog: string[];
  pacer: PacerStats;
  behindReports: string[];
  bridgeLog: string[];
}

/** bridge.json as the CLI writes it (the result, functions dropped). */
export type BridgeResultJson = Omit<BridgeRunResult, 'options'> & { options: Omit<BridgeRunResult['options'], 'log'> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function summarise(peers: readonly PeerInfo[]): Pick<NodeSnapshot, 'outboundFullRelay' | 'blockRelayOnly' | 'inbound' | 'other'> {
  let outboundFullRelay = 0;
  let blockRelayOnly = 0;
  let inbound = 0;
  let other = 0;
  for (const p of peers) {
    if (p.connection_type === 'outbound-full-relay') outboundFullRelay++;
    else if (p.connection_type === 'block-relay-only') blockRelayOnly++;
    else if (p.connection_type === 'inbound') inbound++;
    else other++;
  }
  return { outboundFullRelay, blockRelayOnly, inbound, other };
}

/** Runs a bridge session to its end; always stops the node and closes the gateway. */
export async function runBridge(o: BridgeRunOptions): Promise<BridgeRunResult> {
  // Refuse an unsafe command line before anything is built (the ports are checked again at start).
  const problem = checkNodeArgs([...safeNodeArgs('datadir', { socksPort: 1, p2pPort: 2, rpcPort: 3 }), ...o.extraArgs], 1);
  if (problem !== null) throw new NodeArgsError(`refusing to start bitcoind: ${problem}`);
  const bridgeLog: string[] = [];
  const log = (l: string): void => {
    bridgeLog.push(l);
    o.log(l);
  };
  const behindReports: string[] = [];
  // Node clocks read the wall clock once the warm-up is over: the timestamps of gossiped addresses
  // and of VERSION messages must look current to the real node.
  const world = new World({ seed: o.seed, nodes: o.nodes, epochMicros: Date.now() * 1000 - o.warmupMicros });
  world.runUntil(o.warmupMicros);
  const [p2pPort, rpcPort] = [await freePort(), await freePort()];
  const wb = bridgeWorld(world, {
    magic: REGTEST_MAGIC,
    outside: {
      kind: 'direct',
      host: '127.0.0.1',
      port: p2pPort,
      ...(o.inboundSource === 'simulated' ? { sourceFor: (peer) => (peer.isIPv4() ? peer.toStringAddr() : undefined) } : {}),
    },
    log,
    pacer: {
      onBehind: (e) => {
        const line =
          e.phase === 'start'
            ? `real time: behind the wall clock by ${(e.lagMicros / 1000).toFixed(0)} ms at simulated ${(e.atMicros / 1e6).toFixed(1)} s`
            : `real time: caught up after ${(e.forMicros / 1000).toFixed(0)} ms behind (worst lag ${(e.maxLagMicros / 1000).toFixed(0)} ms)`;
        behindReports.push(line);
        log(line);
      },
    },
  });
  const socksPort = await new Promise<number>((resolve) => wb.gateway.serveSocks('127.0.0.1', 0, resolve));
  wb.pacer.start();
  let node: BitcoindProcess | null = null;
  try {
    node = BitcoindProcess.start(o.bitcoind, { socksPort, p2pPort, rpcPort }, { extraArgs: o.extraArgs, ...(o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}) });
    await node.waitReady();
    const started = Date.now();
    const netinfo = await node.rpc.call<{ subversion: string }>('getnetworkinfo');
    log(`bitcoind ${netinfo.subversion} up: P2P 127.0.0.1:${p2pPort}, RPC ${rpcPort}, proxy 127.0.0.1:${socksPort}; in the world at ${wb.address.toStringAddrPort()}`);

    // Seed its AddrMan with listening simulated nodes (the fixed seeds and DNS seeds are off).
    const seeds = world.listeningUpAddresses().filter((a) => a.isIPv4() || a.isIPv6()).slice(0, o.seedAddresses);
    for (const a of seeds) await node.rpc.call('addpeeraddress', [a.toStringAddr(), 8333]);
    log(`seeded the node's AddrMan with ${seeds.length} simulated addresses`);

    // Honest inbound peers: simulated nodes that add the real node (Core's addnode).
    wb.pacer.catchUp();
    const target = wb.address.toStringAddrPort();
    let added = 0;
    for (const n of world.nodes) {
      if (added >= o.honestInbound) break;
      if (n.connman === undefined) continue;
      if (n.connman.addNode(target)) added++;
    }

    const snapshots: NodeSnapshot[] = [];
    let flooded = false;
    for (;;) {
      const elapsed = Date.now() - started;
      if (!flooded && o.inboundSybils > 0 && elapsed >= o.floodAtMs) {
        flooded = true;
        wb.pacer.catchUp();
        createAttacker(attackerEnvFromWorld(world, 'attacker-0'), {
          kind: 'inbound-sybils',
          name: 'attacker-0',
          targets: [wb.address],
          count: o.inboundSybils,
          mode: 'hold',
          connectIntervalMicros: millis(50),
          reconnectDelayMicros: millis(30_000),
        });
        log(`inbound flood: ${o.inboundSybils} Sybils start connecting to the node`);
      }
      if (node.hasExited) throw new Error(`bitcoind ${node.exitDetail()}`);
      const peers = await node.rpc.call<PeerInfo[]>('getpeerinfo');
      const addrman = await node.rpc.call<AddrmanInfo>('getaddrmaninfo');
      snapshots.push({ wallMs: elapsed, simMicros: world.kernel.now(), ...summarise(peers), addrmanTotal: addrman.all_networks?.total ?? 0 });
      if (elapsed >= o.durationMs) break;
      await sleep(Math.min(o.pollMs, o.durationMs - elapsed + 1));
    }

    const real: NodeView = { label: `bitcoind at ${target}`, peers: await node.rpc.call<PeerInfo[]>('getpeerinfo'), addrman: await node.rpc.call<AddrmanInfo>('getaddrmaninfo') };
    wb.pacer.catchUp();
    let best = world.nodes.find((n) => n.context !== undefined)!;
    for (const n of world.nodes) if (n.connman !== undefined && n.connman.getNodeCount(ConnectionDirection.In) > (best.connman?.getNodeCount(ConnectionDirection.In) ?? 0)) best = n;
    const simulated: NodeView = {
      label: `simulated node ${best.index} at ${best.service.toStringAddrPort()}`,
      peers: callRpc(best.context!, 'getpeerinfo') as SimPeerInfo[] as unknown as PeerInfo[],
      addrman: callRpc(best.context!, 'getaddrmaninfo') as AddrmanInfo,
    };
    const evictionLog = node
      .debugLog()
      .split('\n')
      .filter((l) => l.includes('for eviction') || l.includes('eviction candidate'));
    return {
      options: { ...o, bitcoind: o.bitcoind },
      subversion: netinfo.subversion,
      networkInfo: await node.rpc.call('getnetworkinfo'),
      nodeAddress: target,
      real,
      simulated,
      snapshots,
      links: wb.gateway.linkRecords(),
      refusedSocks: wb.gateway.refusedSocks,
      evictionLog,
      pacer: wb.pacer.stats(),
      behindReports,
      bridgeLog,
    };
  } finally {
    // Links first (they end as 'shutdown'), so that the node's stop is not read as it closing them.
    wb.pacer.stop();
    wb.gateway.shutdown();
    if (node !== null) await node.stop();
  }
}
