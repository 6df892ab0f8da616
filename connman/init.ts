// The composition root of a node (Core's init.cpp AppInitParameterInteraction and AppInitMain, the
// part that builds the connection layer): options checked and resolved, the BanMan, the keyed
// seeds, the AddrMan loaded from peers.dat or made fresh (Core master's, or a version profile's
// behind the same interface), the Connman with its ports, and the PeerManager with its tx and block
// parts, wired together. Nothing else in connman/ constructs its collaborators; a world or a test
// builds every node here. It holds no connection logic.

import { AddrMan, DETERMINISTIC_ADDRMAN_KEY, type AddrManOptions } from './addrman/addrman.ts';
import { PEERS_DAT_MASTER, type PeersDatFormat } from './addrman/addrdb.ts';
import type { AddressPool } from './addrman/address-pool.ts';
import { BanMan } from './net/banman.ts';
import { Connman, PEERS_DAT, type BanList } from './net/connman.ts';
import { CORE_KEEP_ALIVE } from './net/keep-alive.ts';
import { defaultConnmanOptions, MAX_BLOCK_RELAY_ONLY_CONNECTIONS, MAX_OUTBOUND_FULL_RELAY_CONNECTIONS, type ConnmanOptions } from './net/options.ts';
import { BlockRelay, StaticChain, type BlockRelayOptions } from './net_processing/blocks.ts';
import { PeerManager } from './net_processing/peerman.ts';
import { PeerTxRelay } from './net_processing/tx.ts';
import { NetGroupManager } from './netgroup/netgroup.ts';
import type { Clock, KeepAlive, NodePorts, Rng } from './ports.ts';
import { LegacyAddrMan } from './profiles/addrman-legacy.ts';
import { PEERS_DAT_V0_10 } from './profiles/addrman-legacy-serialize.ts';
import { FastRandomContext } from './util/random.ts';
import { secondsOf } from './util/time.ts';
import { Logger } from './util/logging.ts';

/** What a world shares between its nodes, or chooses for one, beyond the options. Every field has a default. */
export interface NodeSetup {
  /** Netgroups (with the asmap, when the node uses one); default: prefix grouping. */
  netgroupman?: NetGroupManager;
  /** The address interning table, one per world (addrman/address-pool.ts); default: a private one. */
  addressPool?: AddressPool;
  /** Ban lookups; default: a fresh BanMan, so misbehaving peers are discouraged. */
  banman?: BanList;
  /** An AddrMan to use as it is (tests); default: peers.dat from the node's files, else a fresh one. */
  addrman?: AddrMan;
  /** The block part (blocks.ts) with its genesis; default: no blocks (the options' chain view). */
  blocks?: BlockRelayOptions;
  /** A keep-alive shortcut (ports.ts KeepAlive); default: Core's path, every ping a message. */
  keepAlive?: KeepAlive;
}

/** A built node: Core's NodeContext for the connection layer. */
export class NodeContext {
  constructor(
    readonly options: ConnmanOptions,
    readonly netgroupman: NetGroupManager,
    readonly banman: BanList,
    readonly addrman: AddrMan,
    readonly connman: Connman,
    readonly peerman: PeerManager,
    /** The block part when the node has blocks (NodeSetup.blocks), else null. */
    readonly blocks: BlockRelay | null,
  ) {}

  /** Starts the connection manager, then the PeerManager's scheduled tasks (Core's AppInitMain order). */
  // Core: init.cpp AppInitMain (connman.Start, then PeerManager::StartScheduledTasks)
  start(): boolean {
    const ok = this.connman.start();
    this.blocks?.start();
    return ok;
  }

  /** Stops the scheduled tasks and interrupts the connection manager's threads. */
  // Core: init.cpp Interrupt
  interrupt(): void {
    this.blocks?.stop();
    this.connman.interrupt();
  }

  /** Core's Shutdown for the connection layer: peers.dat and anchors.dat written, every socket closed. */
  // Core: init.cpp Shutdown (connman->Stop)
  stop(): void {
    this.blocks?.stop();
    this.connman.stop();
  }
}

/** A bad option, with Core's init error wording where Core has one. */
export class InitError extends Error {}

/**
 * The options with Core's defaults filled in, checked as Core's AppInitParameterInteraction checks
 * them (and the port's own range checks).
 */
// Core: init.cpp AppInitParameterInteraction (the net options)
export function resolveNodeOptions(options: Partial<ConnmanOptions> = {}): ConnmanOptions {
  const o: ConnmanOptions = { ...defaultConnmanOptions(), ...options };
  if (!(o.peerConnectTimeoutSeconds > 0)) throw new InitError('peertimeout must be a positive integer.');
  if (!(o.maxOutboundFullRelay >= 0 && o.maxOutboundFullRelay <= MAX_OUTBOUND_FULL_RELAY_CONNECTIONS)) {
    throw new InitError(`maxOutboundFullRelay must be in 0..${MAX_OUTBOUND_FULL_RELAY_CONNECTIONS}`);
  }
  if (!(o.maxBlockRelayOnly >= 0 && o.maxBlockRelayOnly <= MAX_BLOCK_RELAY_ONLY_CONNECTIONS)) {
    throw new InitError(`maxBlockRelayOnly must be in 0..${MAX_BLOCK_RELAY_ONLY_CONNECTIONS}`);
  }
  return o;
}

/** One kind of AddrMan: how it is made and how it is written to and read from peers.dat. */
interface AddrManKind {
  make(opts: AddrManOptions, o: ConnmanOptions): AddrMan;
  peersDat: PeersDatFormat;
}

/** Core master's AddrMan, with test-before-evict unless the options turn it off. */
const ADDRMAN_MASTER: AddrManKind = {
  make: (opts, o) => new AddrMan(o.testBeforeEvict ? opts : { ...opts, testBeforeEvict: false }),
  peersDat: PEERS_DAT_MASTER,
};
/** Core v0.10's AddrMan (profiles/addrman-legacy.ts), behind the same interface (it had no test-before-evict). */
const ADDRMAN_V0_10: AddrManKind = { make: (opts) => new LegacyAddrMan(opts), peersDat: PEERS_DAT_V0_10 };

function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/**
 * Builds a node from its ports, options and setup. The node's stream is drawn in a fixed order
 * (the seeds, then the AddrMan's key stream, then what the Connman and PeerManager draw at
 * construction), so a node built twice from the same stream is the same node.
 */
export function buildNode(ports: NodePorts, options: Partial<ConnmanOptions> = {}, setup: NodeSetup = {}): NodeContext {
  const o = resolveNodeOptions(options);
  const { clock, rng } = ports;
  const netgroupman = setup.netgroupman ?? NetGroupManager.noAsmap();
  const banman =
    setup.banman ??
    new BanMan({ rng, nowSeconds: () => secondsOf(clock.nowMicros()), files: ports.files, log: new Logger(ports.log), defaultBanTimeSeconds: o.banTimeSeconds });
  const seed0 = o.seed0 ?? rng.rand64();
  const seed1 = o.seed1 ?? rng.rand64();
  const kind = o.addrmanLegacy === 'v0.10' ? ADDRMAN_V0_10 : ADDRMAN_MASTER;
  const addrman = setup.addrman ?? loadAddrMan(ports, o, kind, netgroupman, setup.addressPool);
  const connman = new Connman(
    {
      ...ports,
      keepAlive: setup.keepAlive ?? CORE_KEEP_ALIVE,
      seed0,
      seed1,
      addrman,
      peersDat: kind.peersDat,
      netgroupman,
      banman,
    },
    o,
  );
  const blocks =
    setup.blocks !== undefined
      ? new BlockRelay(connman.blockRelayHost(), { ...setup.blocks, staleTipExtraPeers: o.staleTipExtraPeers, chainSyncEviction: o.chainSyncEviction, extraBlockRelayPeers: o.extraBlockRelayPeers })
      : null;
  const host = connman.peerManagerHost();
  const tx = new PeerTxRelay(host, { rng });
  const peerman = new PeerManager(
    host,
    addrman,
    {
      listen: o.listen,
      localAddresses: o.localAddresses,
      discover: o.discover,
      listenPort: o.defaultPort,
      localServices: o.localServices,
      blocksOnly: o.blocksOnly,
      userAgent: o.subVersion,
      inboundRelayCap: o.inboundRelayCap,
      inboundVersionGood: o.inboundVersionGood,
      protocolVersion: o.protocolVersion,
      addrRateLimit: o.addrRateLimit,
      rng,
    },
    { tx, blocks: blocks ?? new StaticChain(o.chainView) },
  );
  connman.setMsgProc(peerman);
  return new NodeContext(o, netgroupman, banman, addrman, connman, peerman, blocks);
}

/** A fresh AddrMan with its own stream keyed from the node's, as Core's would be. */
function makeAddrMan(rng: Rng, o: ConnmanOptions, kind: AddrManKind, netgroupman: NetGroupManager, pool: AddressPool | undefined, clock: Clock): AddrMan {
  const check = o.checkAddrman > 0 ? { consistencyCheckRatio: o.checkAddrman } : {};
  // Core's -test=addrman: nKey = uint256{1} and a deterministic insecure_rand.
  if (o.deterministicAddrman) {
    return kind.make({ netgroupman, clock, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY, ...check, ...(pool !== undefined ? { pool } : {}) }, o);
  }
  const seed = new Uint8Array(32);
  for (let i = 0; i < 4; i++) seed.set(u64le(rng.rand64()), 8 * i);
  const amRng = new FastRandomContext(seed);
  return kind.make({ netgroupman, clock, rng: amRng, key: amRng.rand256(), ...check, ...(pool !== undefined ? { pool } : {}) }, o);
}

/** peers.dat from the node's files, or a fresh AddrMan if it is absent or invalid. */
// Core: addrdb.cpp LoadAddrman (called from init.cpp AppInitMain)
function loadAddrMan(ports: NodePorts, o: ConnmanOptions, kind: AddrManKind, netgroupman: NetGroupManager, pool: AddressPool | undefined): AddrMan {
  const make = (): AddrMan => makeAddrMan(ports.rng, o, kind, netgroupman, pool, ports.clock);
  const log = new Logger(ports.log);
  const bytes = ports.files.read(PEERS_DAT);
  if (bytes === undefined) {
    log.logInfo(`Creating peers.dat because the file was not found ("${PEERS_DAT}")`);
    return make();
  }
  const r = kind.peersDat.load(o.chain, bytes, make);
  if (r.ok) {
    log.logInfo(`Loaded ${r.value.size()} addresses from peers.dat  0ms`);
    ports.events.emit({ kind: 'peers-loaded', entries: r.value.size(), ok: true });
    return r.value;
  }
  ports.events.emit({ kind: 'peers-loaded', entries: 0, ok: false });
  return make();
}
