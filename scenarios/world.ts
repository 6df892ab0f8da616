// A small simulated world of honest Bitcoin Core nodes, for tests and as the base of the scenario
// layer: N nodes on routable IPv4 addresses spread over many /16s, a share of them listening
// (reachable) and the rest not, a latency model, DNS seeders answering with listening nodes,
// optional fixed seeds, scripted test peers, and node lifecycle (start, graceful restart that keeps
// the node's files, crash, take offline). Each node runs one unchanged Connman over the sim ports.
// It does not hold attackers beyond TestPeer, a scenario DSL or the CLI (later layers build on it).

import { Connman } from '../connman/connman.ts';
import type { ConnmanOptions } from '../connman/connman-options.ts';
import type { P2PMessage } from '../connman/messages.ts';
import type { BlockRef } from '../connman/peerman-blocks.ts';
import type { NetAddr, Service } from '../connman/netaddress.ts';
import type { DnsSeedResolver, EventSink } from '../connman/ports.ts';
import {
  Kernel,
  Network,
  Rng as SimRng,
  Trace,
  constantLatency,
  millis,
  seconds,
  type HostId,
  type LatencyModel,
  type Micros,
  type TraceSink,
} from '../sim/index.ts';
import { Ipv4AddressPlan, simAddressOf } from './address-plan.ts';
import { MAINNET_DNS_SEEDS, WorldDnsSeeds } from './dns-seeds.ts';
import { EventRecorder } from './event-recorder.ts';
import { MemoryFileStore } from './memory-file-store.ts';
import { connmanRngFor } from './node-rng.ts';
import { NodeScheduler } from './node-scheduler.ts';
import { DEFAULT_EPOCH_MICROS, SimClock } from './sim-clock.ts';
import { SimScheduler } from './sim-scheduler.ts';
import { SimTransport, SimTransportHub } from './sim-transport.ts';
import { TestPeer, type TestPeerOptions } from './test-peer.ts';

/** Mainnet's P2P port: every simulated node listens there. */
export const DEFAULT_P2P_PORT = 8333;
/** Core's DEFAULT_CONNECT_TIMEOUT: the sim network gives up on a connect after this. */
export const NETWORK_CONNECT_TIMEOUT: Micros = seconds(5);

export interface WorldOptions {
  seed: number | string;
  /** Honest nodes. */
  nodes: number;
  /** Share of honest nodes that listen (are reachable); at least one listens. Default 0.5. */
  listeningShare?: number;
  /** Probability that a new node's address reuses an existing /16 (default 0: one node per /16). */
  slash16ShareProbability?: number;
  /** One-way latency. Default: constant 50 ms. Use sim's regionLatency with `regions`. */
  latency?: LatencyModel;
  /** Number of latency regions; each node and test peer gets one uniformly at random. Default 1. */
  regions?: number;
  /** Number of DNS seed names (taken from mainnet's list, max 7). Default 7; 0 disables DNS seeding. */
  dnsSeeds?: number;
  /** Number of listening nodes that are also the chain's fixed seeds. Default 0. */
  fixedSeeds?: number;
  /**
   * Addresses of nodes that no longer exist (no host answers them), which the DNS seeders mix into
   * their answers as real seeders' stale entries do. They fill AddrMan's new table the way a real
   * node's is filled, so feelers and outbound selection meet dead addresses. Default 0.
   */
  staleAddresses?: number;
  /** Nodes start at uniform times in [0, startWindow). Default 0: all at once. */
  startWindowMicros?: Micros;
  /** Unix time of kernel time 0. */
  epochMicros?: Micros;
  /** Options for every node's Connman (after the world's own: seeds, binds, local address). */
  connman?: Partial<ConnmanOptions> | ((node: number) => Partial<ConnmanOptions>);
  /** Keep every Connman event in `events.log` (tests). Default false. */
  keepEventLog?: boolean;
  /** Every kernel event and delivery is folded into the digest; with a sink it is also logged. */
  traceSink?: TraceSink;
  /** Start nodes automatically (default true); false leaves it to `startNode`. */
  autoStart?: boolean;
  /**
   * Run the block / stale-tip / outbound-eviction logic (connman/peerman-blocks.ts) on every node,
   * all starting from `genesis` (default: height 0 timed at the epoch). Default false.
   */
  blocks?: boolean;
}

/** One honest node of the world, across its restarts. */
export interface WorldNode {
  readonly index: number;
  readonly host: HostId;
  readonly address: NetAddr;
  readonly service: Service;
  readonly listening: boolean;
  /** The node's data directory: survives restarts. */
  readonly files: MemoryFileStore;
  readonly transport: SimTransport;
  /** The running Connman, or undefined while stopped or crashed. */
  connman: Connman | undefined;
  /** Starts so far (1 after the first start). */
  starts: number;
  scheduler: NodeScheduler | undefined;
  /** A start is scheduled (world start window or restart downtime). */
  startPending: boolean;
}

export class World {
  readonly kernel = new Kernel();
  readonly rng: SimRng;
  readonly trace: Trace;
  readonly network: Network<P2PMessage>;
  readonly clock: SimClock;
  readonly events: EventRecorder;
  readonly dns: WorldDnsSeeds;
  readonly nodes: WorldNode[] = [];
  readonly testPeers: TestPeer[] = [];
  readonly dnsSeedNames: readonly string[];
  fixedSeedList: readonly Service[] = [];
  /** Addresses that no host owns (see WorldOptions.staleAddresses). */
  readonly staleAddresses: NetAddr[] = [];
  /** The chain's starting block (see WorldOptions.blocks; scenarios/block-source.ts extends it). */
  readonly genesis: BlockRef;

  private readonly retiredListeners: ((node: number, how: 'stopped' | 'crashed') => void)[] = [];
  private readonly scheduler: SimScheduler;
  private readonly hub: SimTransportHub;
  private readonly plan: Ipv4AddressPlan;
  private readonly regionRng: SimRng;
  private readonly options: WorldOptions;

  constructor(options: WorldOptions) {
    this.options = options;
    if (!(options.nodes >= 1) || !Number.isInteger(options.nodes)) throw new RangeError(`world: nodes must be a positive integer, got ${options.nodes}`);
    this.rng = new SimRng(options.seed);
    this.trace = new Trace(options.traceSink);
    this.trace.nameKinds((k) => this.kernel.kindName(k));
    this.trace.mixString(`world/${options.nodes}`);
    this.kernel.observe(this.trace);
    const epoch = options.epochMicros ?? DEFAULT_EPOCH_MICROS;
    this.genesis = { height: 0, timeSeconds: Math.floor(epoch / 1_000_000) };
    this.clock = new SimClock(this.kernel, epoch);
    this.scheduler = new SimScheduler(this.kernel, epoch);
    this.network = new Network<P2PMessage>(this.kernel, {
      latency: options.latency ?? constantLatency(millis(50)),
      rng: this.rng.fork('network'),
      connectTimeoutMicros: NETWORK_CONNECT_TIMEOUT,
      trace: this.trace,
    });
    this.hub = new SimTransportHub(this.kernel, this.network, NETWORK_CONNECT_TIMEOUT);
    this.events = new EventRecorder(this.kernel, this.trace, options.keepEventLog ?? false);
    this.regionRng = this.rng.fork('regions');
    this.plan = new Ipv4AddressPlan(this.rng.fork('addresses'), options.slash16ShareProbability ?? 0);
    this.dns = new WorldDnsSeeds(this.rng.fork('dns'), () => this.listeningUpAddresses());
    this.dnsSeedNames = MAINNET_DNS_SEEDS.slice(0, Math.max(0, Math.min(7, options.dnsSeeds ?? 7)));

    // Who listens: a uniform draw of round(share × N) nodes, at least one.
    const share = options.listeningShare ?? 0.5;
    const listenCount = Math.max(1, Math.min(options.nodes, Math.round(share * options.nodes)));
    const order = this.rng.fork('listening').shuffle(Array.from({ length: options.nodes }, (_, i) => i));
    const listens = new Uint8Array(options.nodes);
    for (let i = 0; i < listenCount; i++) listens[order[i]!] = 1;

    for (let i = 0; i < options.nodes; i++) {
      const address = this.plan.next();
      const host = this.network.addHost({ addresses: [simAddressOf(address)], region: this.nextRegion() });
      this.nodes.push({
        index: i,
        host,
        address,
        service: address.withPort(DEFAULT_P2P_PORT),
        listening: listens[i] === 1,
        files: new MemoryFileStore(),
        transport: this.hub.transportFor(host),
        connman: undefined,
        starts: 0,
        scheduler: undefined,
        startPending: false,
      });
    }

    for (let i = 0; i < (options.staleAddresses ?? 0); i++) this.staleAddresses.push(this.plan.next());

    const fixed = Math.max(0, options.fixedSeeds ?? 0);
    if (fixed > 0) {
      const listeners = this.nodes.filter((n) => n.listening);
      const picked = this.rng.fork('fixed-seeds').shuffle([...listeners]).slice(0, fixed);
      picked.sort((a, b) => a.index - b.index);
      this.fixedSeedList = picked.map((n) => n.service);
    }

    if (options.autoStart ?? true) {
      const window = options.startWindowMicros ?? 0;
      const startRng = this.rng.fork('start-times');
      for (const n of this.nodes) {
        const at = window > 0 ? Math.floor(startRng.random() * window) : 0;
        if (at === 0) this.startNode(n.index);
        else this.scheduleStart(n.index, at);
      }
    }
  }

  /**
   * What a DNS seeder lists: listening honest nodes that run or are about to start (a seeder's
   * crawl lags behind; at a world's cold start it knows the nodes that are coming up), in index
   * order, then the stale addresses. Nodes taken offline or crashed drop out at once.
   */
  listeningUpAddresses(): NetAddr[] {
    const out: NetAddr[] = [];
    for (const n of this.nodes) if (n.listening && (n.connman !== undefined || n.startPending)) out.push(n.address);
    for (const a of this.staleAddresses) out.push(a);
    return out;
  }

  /** The Connman options node `index` gets: the world's (seeds, binds, local address) then the caller's. */
  connmanOptionsFor(index: number): Partial<ConnmanOptions> {
    const n = this.nodes[index]!;
    const user = typeof this.options.connman === 'function' ? this.options.connman(index) : (this.options.connman ?? {});
    return {
      dnsSeeds: this.dnsSeedNames,
      dnsSeed: this.dnsSeedNames.length > 0,
      fixedSeedList: this.fixedSeedList,
      listen: n.listening,
      binds: n.listening ? [{ service: n.service }] : [],
      localAddresses: [n.service],
      ...user,
    };
  }

  /** Starts node `index` (a fresh Connman over its kept files). */
  startNode(index: number): Connman {
    const n = this.nodes[index]!;
    if (n.connman !== undefined) throw new Error(`world: node ${index} is already running`);
    if (!this.network.isUp(n.host)) this.network.setHostUp(n.host);
    const scheduler = new NodeScheduler(this.scheduler);
    const events: EventSink = this.events.sinkFor(index);
    const dns: DnsSeedResolver = { resolve: (seed, max) => this.dns.resolve(seed, max) };
    const connman = new Connman(
      {
        clock: this.clock,
        scheduler,
        rng: connmanRngFor(this.rng, index, n.starts),
        transport: n.transport,
        events,
        files: n.files,
        dns,
        ...(this.options.blocks === true ? { blocks: { genesis: this.genesis } } : {}),
      },
      this.connmanOptionsFor(index),
    );
    n.connman = connman;
    n.scheduler = scheduler;
    n.starts++;
    connman.start();
    return connman;
  }

  /**
   * Graceful shutdown: Core's StopNodes (anchors.dat and peers.dat written to the node's files),
   * then the host leaves the network; its peers see their connections closed.
   */
  stopNode(index: number): void {
    const n = this.nodes[index]!;
    if (n.connman === undefined) return;
    n.connman.stop();
    this.retire(n, 'close');
  }

  /** A crash: no files written, the host vanishes and peers notice only through their timeouts. */
  crashNode(index: number): void {
    const n = this.nodes[index]!;
    if (n.connman === undefined) return;
    this.retire(n, 'none');
  }

  /** Graceful stop now, start again after `downtimeMicros` (same address, same files). */
  restartNode(index: number, downtimeMicros: Micros = seconds(10)): void {
    this.stopNode(index);
    if (downtimeMicros <= 0) this.startNode(index);
    else this.scheduleStart(index, this.kernel.now() + downtimeMicros);
  }

  /** Starts node `index` at kernel time `at`. */
  scheduleStart(index: number, at: Micros): void {
    const n = this.nodes[index]!;
    n.startPending = true;
    this.kernel.schedule(at, () => {
      n.startPending = false;
      if (n.connman === undefined) this.startNode(index);
    });
  }

  /** Takes a node offline for good (graceful by default). */
  takeOffline(index: number, how: 'graceful' | 'crash' = 'graceful'): void {
    if (how === 'graceful') this.stopNode(index);
    else this.crashNode(index);
  }

  /** A scripted peer on a fresh address (not listening unless `listen`). */
  addTestPeer(options: TestPeerOptions & { listen?: boolean } = {}): TestPeer {
    const address = this.plan.next();
    const host = this.network.addHost({ addresses: [simAddressOf(address)], region: this.nextRegion() });
    const peer = new TestPeer(this.network, host, { kernel: this.kernel, timeSeconds: () => Math.floor(this.clock.nowMicros() / 1e6), ...options }, address.withPort(DEFAULT_P2P_PORT));
    if (options.listen ?? false) this.network.listen(host, DEFAULT_P2P_PORT);
    this.testPeers.push(peer);
    return peer;
  }

  /**
   * Calls `fn` whenever a node's Connman goes away (graceful stop or crash). After a crash no
   * connection-closed events follow for its connections, so connection trackers reset here.
   */
  onNodeRetired(fn: (node: number, how: 'stopped' | 'crashed') => void): void {
    this.retiredListeners.push(fn);
  }

  /** Runs the world until kernel time `untilMicros`. Returns the events processed. */
  runUntil(untilMicros: Micros): number {
    return this.kernel.run({ until: untilMicros });
  }

  /** Runs the world for `durationMicros` more. */
  runFor(durationMicros: Micros): number {
    return this.kernel.run({ until: this.kernel.now() + durationMicros });
  }

  /** The digest of everything that happened so far. */
  digest(): string {
    return this.trace.digest();
  }

  private nextRegion(): number {
    const r = this.options.regions ?? 1;
    return r > 1 ? this.regionRng.randrange(r) : 0;
  }

  private retire(n: WorldNode, notify: 'none' | 'close'): void {
    n.scheduler?.retire();
    n.transport.detach();
    this.network.setHostDown(n.host, notify);
    n.connman = undefined;
    n.scheduler = undefined;
    for (const fn of this.retiredListeners) fn(n.index, notify === 'none' ? 'crashed' : 'stopped');
  }
}
