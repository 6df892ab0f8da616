// A simulated world of honest Bitcoin Core nodes, for tests and as the base of the scenario layer:
// N nodes on routable addresses (by default IPv4 spread over many /16s; optionally a mix of
// families, an AS model and a real seed list), a share of them listening (reachable) and the rest
// not, a latency model, DNS seeders answering with listening clearnet nodes, optional fixed seeds,
// scripted test peers, address allocation and hosts for other actors, nodes added mid-run, churn,
// and node lifecycle (start, graceful restart that keeps the node's files, crash, take offline).
// Each node runs one unchanged Connman over the sim ports.
// It does not hold actors (scenarios/actors/), a scenario DSL or the CLI (later layers build on it).
//
// Networks of privacy-network nodes (a deliberately simple model):
// - An IPv4 or IPv6 node has one address and Core's default reachable networks (IPv4 and IPv6, no
//   Tor/I2P/CJDNS: most clearnet nodes run no proxy). It reaches both clearnet families; a
//   connection across families shows the connector's own address to the other side (no dual
//   stack is modelled).
// - An onion node is a Tor node with -proxy and an onion service: reachable nets IPv4, IPv6 and
//   onion; it listens (if it listens) on an onion bind, so its inbound peers count as inbound
//   onion; its local address is its onion service. Clearnet peers it connects to see its onion
//   address (the sim has no Tor exit relays).
// - An I2P node (-i2psam, no Tor proxy) reaches IPv4, IPv6 and I2P and listens on port 0 (Core's
//   I2P_SAM31_PORT); a CJDNS node (-cjdnsreachable) reaches IPv4, IPv6 and CJDNS.
// - DNS seeders list clearnet listening nodes only (seeders answer A/AAAA queries).
// So privacy-network nodes accept inbound peers only from their own network, as with Core nodes
// that listen only on their privacy network.

import { AddressPool } from '../../connman/addrman/address-pool.ts';
import type { Connman } from '../../connman/net/connman.ts';
import { buildNode, type NodeContext } from '../../connman/init.ts';
import type { ConnmanOptions } from '../../connman/net/options.ts';
import type { P2PMessage } from '../../connman/protocol/messages.ts';
import type { BlockRef } from '../../connman/net_processing/blocks.ts';
import { I2P_SAM31_PORT, NetAddr, Network as NetKind, Service } from '../../connman/protocol/netaddress.ts';
import { NetGroupManager } from '../../connman/netgroup/netgroup.ts';
import type { DebugLog, DnsSeedResolver, EventSink } from '../../connman/ports.ts';
import { NO_DEBUG_LOG } from '../../connman/util/logging.ts';
import {
  AliasTable,
  Kernel,
  Network,
  Rng as SimRng,
  Trace,
  constantLatency,
  millis,
  seconds,
  samplerFor,
  type DistributionSpec,
  type FaultHandle,
  type FaultRule,
  type HostId,
  type LatencyModel,
  type Micros,
  type TraceSink,
} from '../../sim/index.ts';
import {
  ADDRESS_FAMILIES,
  FamilyAddressPlan,
  Ipv4AddressPlan,
  familyCounts,
  familyOf,
  ipv4Value,
  normaliseFamilyShares,
  simAddressOf,
  type AddressFamily,
  type FamilyShares,
} from './address-plan.ts';
import type { AsModel } from './as-model.ts';
import { MAINNET_DNS_SEEDS, WorldDnsSeeds } from '../host/dns-seeds.ts';
import { EventRecorder } from '../host/event-recorder.ts';
import { Lifetimes, type ChurnOptions } from './lifetimes.ts';
import { MemoryFileStore } from '../host/memory-file-store.ts';
import { connmanRngFor } from '../host/node-rng.ts';
import { PingHub } from '../host/analytic-ping.ts';
import { NodeScheduler } from '../host/node-scheduler.ts';
import { DEFAULT_EPOCH_MICROS, SimClock } from '../host/sim-clock.ts';
import { SimScheduler } from '../host/sim-scheduler.ts';
import { SimTransport, SimTransportHub } from '../host/sim-transport.ts';

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
  /**
   * Share of the nodes that do not listen publicly which run Core with -listen=1 behind a NAT (no
   * forwarded port): connection attempts to them time out, and they announce the address their
   * peers see them as (GetLocalAddrForPeer with -discover). The others run -listen=0 and announce
   * nothing. Default 0.
   */
  natShare?: number;
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
  /**
   * When each node first starts, from kernel time 0, drawn once per node in index order from a
   * stream of its own (the `joins` world setting); replaces startWindowMicros. Default: none.
   */
  joins?: DistributionSpec;
  /** Unix time of kernel time 0. */
  epochMicros?: Micros;
  /** Options for every node's Connman (after the world's own: seeds, binds, local address). */
  connman?: Partial<ConnmanOptions> | ((node: number) => Partial<ConnmanOptions>);
  /**
   * A node's debug.log (connman/ports.ts DebugLog), asked at every start of the node with the
   * world's clock (µs since the Unix epoch); nodes without one log nothing (NO_DEBUG_LOG). Logging
   * changes nothing in the run.
   */
  debugLog?: (node: number, nowMicros: () => Micros) => DebugLog | undefined;
  /** Keep every Connman event in `events.log` (tests). Default false. */
  keepEventLog?: boolean;
  /** Every kernel event and delivery is folded into the digest; with a sink it is also logged. */
  traceSink?: TraceSink;
  /** Start nodes automatically (default true); false leaves it to `startNode`. */
  autoStart?: boolean;
  /**
   * Run the block / stale-tip / outbound-eviction logic (connman/net_processing/blocks.ts) on every node,
   * all starting from `genesis` (default: height 0 timed at the epoch). Default false.
   */
  blocks?: boolean;
  /**
   * Keep-alive pings between the world's nodes on the analytic path (scenarios/host/analytic-ping.ts)
   * while a connection's timing is fixed: same effects, no per-ping events. Default true; false
   * sends every ping and pong as a message (the reference the analytic path is tested against).
   */
  analyticPings?: boolean;
  /**
   * Shares of address families among honest nodes (normalised; exact counts by largest remainder,
   * which nodes get which family drawn at random). Default undefined: every node IPv4, as before.
   */
  families?: FamilyShares;
  /** The world's AS table: honest IPv4/IPv6 addresses are drawn so their ASNs follow its shares. */
  asModel?: AsModel;
  /** Nodes that use the AS model's asmap for their netgroups (Core's -asmap). Default false. */
  useAsmap?: boolean | ((node: number) => boolean);
  /**
   * Seed-list endpoints (seed-list.ts parseSeedList): honest nodes 0.. take these addresses (and
   * ports) in order, the rest are generated. They listen (a seed is a reachable node), and unless
   * `fixedSeeds` is given they are the chain's fixed seeds, as nodes_main.txt is for Core.
   */
  seedList?: readonly Service[];
  /**
   * The reachable nodes of a crawl (population-file.ts): honest nodes 0.. take these addresses,
   * in order, on port 8333, and they alone listen (listeningShare is not used); the other nodes
   * are unreachable, with generated addresses. Their ASNs (the crawl's) answer `asnOf` when no AS
   * model is given. Not with `seedList`.
   */
  reachable?: readonly { readonly address: NetAddr; readonly asn: number }[];
  /** Relative weights of the latency regions (default: uniform). Length must equal `regions`. */
  regionWeights?: readonly number[];
  /** Node lifetimes (lifetimes.ts): Weibull up sessions and down times, crash or graceful stop. */
  churn?: ChurnOptions;
  /** Nodes that never churn (scenarios protect their victims). Also `world.exemptFromChurn(i)`. */
  churnExempt?: (node: number) => boolean;
}

/** Spread of addresses allocated for other actors (see World.allocateAddresses). */
export type AllocationSpread =
  /** Over `slash16s` distinct /16s no honest node uses (and outside the AS model's prefixes). */
  | { slash16s: number }
  /** Inside `asns` ASNs of the AS model (those owning the most /16s), `slash16sPerAsn` of their /16s each (default all). */
  | { asns: number; slash16sPerAsn?: number };

/** One honest node of the world, across its restarts. */
export interface WorldNode {
  readonly index: number;
  readonly host: HostId;
  readonly address: NetAddr;
  readonly service: Service;
  readonly listening: boolean;
  /** Runs -listen=1 behind a NAT (WorldOptions.natShare): unreachable, but announces the address peers see. */
  readonly behindNat: boolean;
  /** The address family (ipv4 unless WorldOptions.families or a seed list says otherwise). */
  readonly family: AddressFamily;
  /** The node's data directory: survives restarts. */
  readonly files: MemoryFileStore;
  readonly transport: SimTransport;
  /** The running node (connman/init.ts NodeContext), or undefined while stopped or crashed. */
  context: NodeContext | undefined;
  /** Its Connman (context.connman), or undefined while stopped or crashed. */
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
  readonly dnsSeedNames: readonly string[];
  fixedSeedList: readonly Service[] = [];
  /** Addresses that no host owns (see WorldOptions.staleAddresses). */
  readonly staleAddresses: NetAddr[] = [];
  /** The chain's starting block (see WorldOptions.blocks; scenarios/world/block-source.ts extends it). */
  readonly genesis: BlockRef;
  /** The AS model (WorldOptions.asModel), if any. */
  readonly asModel: AsModel | undefined;
  /** Netgroups with the AS model's asmap, shared by every node that uses asmap; undefined without a model. */
  readonly asmapNetgroupman: NetGroupManager | undefined;
  /** Node churn (WorldOptions.churn), if any. */
  readonly lifetimes: Lifetimes | undefined;
  /** The address interning table every node's AddrMan shares (ids are internal, never observable). */
  readonly addressPool = new AddressPool();

  /** When each node was planned to start first (kernel time; 0 for nodes started at once or added mid-run: see joinAt). */
  private readonly joinMicros: Micros[] = [];
  private readonly retiredListeners: ((node: number, how: 'stopped' | 'crashed') => void)[] = [];
  private readonly scheduler: SimScheduler;
  private readonly hub: SimTransportHub;
  private readonly plan: Ipv4AddressPlan;
  private natRng!: SimRng;
  /** The crawl's ASN per reachable address (WorldOptions.reachable), for asnOf without an AS model. */
  private readonly crawlAsns = new Map<string, number>();
  private readonly regionRng: SimRng;
  private readonly options: WorldOptions;
  /** Set when families, an AS model or a seed list is given; otherwise honest addresses come from `plan` as before. */
  private readonly familyPlan: FamilyAddressPlan | undefined;
  private readonly familyShares: number[] | undefined;
  private readonly regionTable: AliasTable | undefined;
  private readonly externalRng: SimRng;
  private readonly addedRng: SimRng;
  private readonly pingHub: PingHub | undefined;

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
    this.hub = new SimTransportHub(this.kernel, this.network, NETWORK_CONNECT_TIMEOUT, epoch);
    if (options.analyticPings ?? true) this.pingHub = new PingHub();
    this.events = new EventRecorder(this.kernel, this.trace, options.keepEventLog ?? false);
    this.regionRng = this.rng.fork('regions');
    this.plan = new Ipv4AddressPlan(this.rng.fork('addresses'), options.slash16ShareProbability ?? 0);
    this.dns = new WorldDnsSeeds(this.rng.fork('dns'), () => this.dnsCandidates());
    this.dnsSeedNames = MAINNET_DNS_SEEDS.slice(0, Math.max(0, Math.min(7, options.dnsSeeds ?? 7)));

    // Who listens: a uniform draw of round(share × N) nodes, at least one (none drawn when a
    // crawl's reachable nodes are given: they are the listeners).
    if (options.reachable !== undefined && options.seedList !== undefined) throw new RangeError('world: reachable and seedList are exclusive');
    const share = options.listeningShare ?? 0.5;
    const listenCount = options.reachable !== undefined ? 0 : Math.max(1, Math.min(options.nodes, Math.round(share * options.nodes)));
    const order = this.rng.fork('listening').shuffle(Array.from({ length: options.nodes }, (_, i) => i));
    const listens = new Uint8Array(options.nodes);
    for (let i = 0; i < listenCount; i++) listens[order[i]!] = 1;

    this.asModel = options.asModel;
    this.asmapNetgroupman = options.asModel !== undefined ? NetGroupManager.withAsmap(options.asModel.lookup) : undefined;
    this.externalRng = this.rng.fork('external-addresses');
    this.addedRng = this.rng.fork('added-nodes');
    if (options.regionWeights !== undefined) {
      if (options.regionWeights.length !== (options.regions ?? 1)) throw new RangeError(`world: regionWeights has ${options.regionWeights.length} entries for ${options.regions ?? 1} regions`);
      this.regionTable = new AliasTable(options.regionWeights);
    }
    const seedList = options.seedList ?? (options.reachable ?? []).map((r) => r.address.withPort(DEFAULT_P2P_PORT));
    if (options.reachable !== undefined) for (const r of options.reachable) if (r.asn !== 0) this.crawlAsns.set(r.address.toStringAddr(), r.asn);
    const custom = options.families !== undefined || options.asModel !== undefined || seedList.length > 0;
    if (custom) {
      this.familyPlan = new FamilyAddressPlan(this.plan, this.rng.fork('addresses/families'), options.asModel);
      this.familyShares = normaliseFamilyShares(options.families ?? { ipv4: 1 });
    }
    const planned = custom ? this.plannedHonestAddresses(options.nodes, seedList) : undefined;

    // Who of the rest runs behind a NAT with -listen=1: a stream of its own, so the share shifts no other draw.
    const natShare = options.natShare ?? 0;
    if (!(natShare >= 0 && natShare <= 1)) throw new RangeError(`world: natShare must be in [0, 1], got ${natShare}`);
    this.natRng = this.rng.fork('nat');
    for (let i = 0; i < options.nodes; i++) {
      const service = planned !== undefined ? planned[i]! : this.plan.next().withPort(DEFAULT_P2P_PORT);
      const listening = listens[i] === 1 || i < seedList.length;
      this.createNode(service, listening, undefined, !listening && natShare > 0 && isClearnet(service) && this.natRng.random() < natShare);
    }

    if (this.familyPlan !== undefined) {
      // Stale entries reach nodes only through DNS seeders, which list clearnet addresses.
      const staleRng = this.rng.fork('stale-addresses');
      const sh = this.familyShares!;
      const v6 = sh[0]! + sh[1]! > 0 ? sh[1]! / (sh[0]! + sh[1]!) : 0;
      for (let i = 0; i < (options.staleAddresses ?? 0); i++) this.staleAddresses.push(this.familyPlan.next(staleRng.random() < v6 ? 'ipv6' : 'ipv4', staleRng));
    } else {
      for (let i = 0; i < (options.staleAddresses ?? 0); i++) this.staleAddresses.push(this.plan.next());
    }

    const fixed = Math.max(0, options.fixedSeeds ?? 0);
    if (options.fixedSeeds === undefined && options.seedList !== undefined && seedList.length > 0) {
      this.fixedSeedList = this.nodes.slice(0, Math.min(options.nodes, seedList.length)).map((n) => n.service);
    } else if (fixed > 0) {
      const listeners = this.nodes.filter((n) => n.listening);
      const picked = this.rng.fork('fixed-seeds').shuffle([...listeners]).slice(0, fixed);
      picked.sort((a, b) => a.index - b.index);
      this.fixedSeedList = picked.map((n) => n.service);
    }

    if (options.churn !== undefined) {
      this.lifetimes = new Lifetimes(
        {
          kernel: this.kernel,
          startNode: (i) => void this.startNode(i),
          stopNode: (i) => this.stopNode(i),
          crashNode: (i) => this.crashNode(i),
          isRunning: (i) => this.nodes[i]!.connman !== undefined,
        },
        this.rng.fork('churn'),
        options.churn,
      );
      if (options.churnExempt !== undefined) for (const n of this.nodes) if (options.churnExempt(n.index)) this.lifetimes.exempt(n.index);
    }

    if (options.autoStart ?? true) {
      const window = options.startWindowMicros ?? 0;
      const startRng = this.rng.fork('start-times');
      const joinAt = options.joins !== undefined ? samplerFor(this.rng.fork('joins'), options.joins) : undefined;
      // Every node is marked as coming up before the first one starts: a node whose DNS query runs
      // as it starts (empty AddrMan) must hear of the listeners starting in the same instant, or a
      // non-listening node started ahead of them would learn only stale addresses and stay alone.
      const now: WorldNode[] = [];
      for (const n of this.nodes) {
        const at = joinAt !== undefined ? Math.max(0, Math.round(joinAt())) : window > 0 ? Math.floor(startRng.random() * window) : 0;
        this.joinMicros[n.index] = at;
        if (at === 0) {
          n.startPending = true;
          now.push(n);
        } else this.scheduleStart(n.index, at);
      }
      for (const n of now) {
        n.startPending = false;
        this.startNode(n.index);
      }
    }
  }

  /** When node `index` first started or is planned to (kernel time); its creation time for a node added mid-run. */
  joinAt(index: number): Micros {
    return this.joinMicros[index] ?? 0;
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

  /** What DNS seeders answer from: listeningUpAddresses() restricted to IPv4 and IPv6 (A/AAAA records). */
  private dnsCandidates(): NetAddr[] {
    const all = this.listeningUpAddresses();
    if (this.familyPlan === undefined) return all;
    return all.filter((a) => a.isIPv4() || a.isIPv6());
  }

  /** The Connman options node `index` gets: the world's (seeds, binds, local address, networks) then the caller's. */
  connmanOptionsFor(index: number): Partial<ConnmanOptions> {
    const n = this.nodes[index]!;
    const user = typeof this.options.connman === 'function' ? this.options.connman(index) : (this.options.connman ?? {});
    return {
      dnsSeeds: this.dnsSeedNames,
      dnsSeed: this.dnsSeedNames.length > 0,
      fixedSeedList: this.fixedSeedList,
      // Behind a NAT, Core listens (on an address nobody outside can reach) and knows no routable
      // address of its own: it learns one from its peers' VERSION (GetLocalAddrForPeer).
      listen: n.listening || n.behindNat,
      binds: n.listening || n.behindNat ? [{ service: n.service }] : [],
      localAddresses: n.behindNat ? [] : [n.service],
      ...familyConnmanOptions(n),
      ...user,
    };
  }

  /** Whether node `index` uses the AS model's asmap (WorldOptions.useAsmap). */
  usesAsmap(index: number): boolean {
    const u = this.options.useAsmap;
    if (this.asmapNetgroupman === undefined || u === undefined || u === false) return false;
    return u === true ? true : u(index);
  }

  /** The ASN of an address under the AS model (else the crawl's); 0 when unmapped or without either. */
  asnOf(addr: NetAddr): number {
    if (this.asModel === undefined) return this.crawlAsns.size === 0 ? 0 : (this.crawlAsns.get(addr.toStringAddr()) ?? 0);
    return this.asModel.asnOf(addr);
  }

  /** Keeps node `index` out of churn from now on (a victim, say). No-op without churn. */
  exemptFromChurn(index: number): void {
    this.lifetimes?.exempt(index);
  }

  /**
   * A fresh honest address in the world's family mix and AS model (for a node added mid-run, or
   * one outside the simulated population: outside-network.ts), drawn from `rng` so that it
   * shifts no other draw. Nothing listens on it until a host is made for it.
   */
  freshHonestAddress(rng: SimRng): Service {
    if (this.familyPlan === undefined) return NetAddr.fromIPv4(this.plan.nextValue(rng)).withPort(DEFAULT_P2P_PORT);
    const fam = this.drawFamily(rng);
    return this.familyPlan.next(fam, rng).withPort(fam === 'i2p' ? I2P_SAM31_PORT : DEFAULT_P2P_PORT);
  }

  /**
   * Adds an honest node mid-run and starts it now; returns its index. Its address follows the
   * world's plan (family shares, AS model), drawn from a stream of its own so that adding nodes
   * shifts no other draw; it listens by `opts.listening`, else with probability listeningShare.
   */
  addNode(opts: { listening?: boolean } = {}): number {
    const rng = this.addedRng;
    const service = this.freshHonestAddress(rng);
    const listening = opts.listening ?? rng.random() < (this.options.listeningShare ?? 0.5);
    const natShare = this.options.natShare ?? 0;
    const n = this.createNode(service, listening, () => this.pickRegion(rng), !listening && natShare > 0 && isClearnet(service) && this.natRng.random() < natShare);
    if (this.options.churnExempt !== undefined && this.options.churnExempt(n.index)) this.lifetimes?.exempt(n.index);
    this.joinMicros[n.index] = this.kernel.now();
    this.startNode(n.index);
    return n.index;
  }

  /**
   * Fresh addresses for other actors (attackers), none used by anyone yet, drawn from a stream of
   * their own. Default: each in a fresh /16. `{ slash16s: k }`: round-robin over k fresh /16s.
   * `{ asns: k, slash16sPerAsn: m }`: inside the k ASNs of the AS model owning the most /16s, over m
   * of each one's /16s (default all), round-robin: many netgroups, few ASNs.
   * Fresh /16s avoid the AS model's prefixes, so they map to no ASN.
   */
  /**
   * Why this world cannot place addresses with `spread` (null when it can): an { asns } spread
   * needs an AS model with that many ASNs, each owning at least slash16sPerAsn /16s.
   */
  spreadProblem(spread: AllocationSpread): string | null {
    if (!('asns' in spread)) return 'slash16s' in spread && (!Number.isInteger(spread.slash16s) || spread.slash16s < 1) ? `slash16s must be a positive integer, got ${spread.slash16s}` : null;
    const model = this.asModel;
    if (model === undefined) return '{ asns } needs an AS model (WorldOptions.asModel)';
    const k = spread.asns;
    if (!Number.isInteger(k) || k < 1) return `asns must be a positive integer, got ${k}`;
    if (k > model.asns.length) return `the AS model has ${model.asns.length} ASNs, ${k} were asked for`;
    for (const as of model.bigAsns(k)) {
      const m = spread.slash16sPerAsn ?? as.slash16s.length;
      if (!Number.isInteger(m) || m < 1 || m > as.slash16s.length) return `AS${as.asn} owns ${as.slash16s.length} /16s, cannot spread over ${m}`;
    }
    return null;
  }

  allocateAddresses(count: number, spread?: AllocationSpread): NetAddr[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`allocateAddresses: count must be a non-negative integer, got ${count}`);
    const rng = this.externalRng;
    const model = this.asModel;
    const avoid = model !== undefined ? (s16: number) => model.coversSlash16(s16) : undefined;
    const claimIn = (s16: number): NetAddr => NetAddr.fromIPv4(this.plan.valueIn(s16, rng));
    const out: NetAddr[] = [];
    if (spread === undefined) {
      for (let i = 0; i < count; i++) out.push(claimIn(this.plan.freshSlash16(rng, avoid)));
      return out;
    }
    if ('slash16s' in spread) {
      const k = spread.slash16s;
      if (!Number.isInteger(k) || k < 1) throw new RangeError(`allocateAddresses: slash16s must be a positive integer, got ${k}`);
      const groups: number[] = [];
      for (let i = 0; i < k; i++) groups.push(this.plan.freshSlash16(rng, avoid));
      for (let i = 0; i < count; i++) out.push(claimIn(groups[i % k]!));
      return out;
    }
    const problem = this.spreadProblem(spread);
    if (problem !== null || model === undefined) throw new RangeError(`allocateAddresses: ${problem ?? 'no AS model'}`);
    const k = spread.asns;
    const slots: { asn: number; s16: number }[] = [];
    const perAsn: { asn: number; s16s: number[] }[] = [];
    for (const as of model.bigAsns(k)) {
      const m = spread.slash16sPerAsn ?? as.slash16s.length;
      perAsn.push({ asn: as.asn, s16s: rng.shuffle([...as.slash16s]).slice(0, m).sort((a, b) => a - b) });
    }
    // Interleave: first /16 of every ASN, then the second of every ASN, ...
    const depth = Math.max(...perAsn.map((p) => p.s16s.length));
    for (let d = 0; d < depth; d++) for (const p of perAsn) if (d < p.s16s.length) slots.push({ asn: p.asn, s16: p.s16s[d]! });
    for (let i = 0; i < count; i++) {
      const slot = slots[i % slots.length]!;
      const blocks = model.blocksIn(slot.asn, slot.s16);
      let a: NetAddr | null = null;
      for (let tries = 0; a === null; tries++) {
        if (tries > 100_000) throw new RangeError(`allocateAddresses: no free address left in AS${slot.asn}'s /16 ${slot.s16 >>> 8}.${slot.s16 & 255}`);
        const cand = model.addressInV4Block(rng.pick(blocks), rng);
        if (cand !== null && this.plan.claimValue(ipv4Value(cand))) a = cand;
      }
      out.push(a);
    }
    return out;
  }

  /**
   * A sim host owning `addresses` (from allocateAddresses, say), for an actor that installs its own
   * handlers and calls network.listen. Region: `opts.region`, else drawn like a node's.
   */
  addExternalHost(addresses: readonly NetAddr[], opts: { region?: number } = {}): HostId {
    if (addresses.length === 0) throw new RangeError('addExternalHost: at least one address');
    for (const a of addresses) if (this.familyPlan !== undefined) this.familyPlan.claim(a);
    else if (a.isIPv4()) this.plan.claimValue(ipv4Value(a));
    return this.network.addHost({ addresses: addresses.map(simAddressOf), region: opts.region ?? this.pickRegion(this.externalRng) });
  }

  /** Starts node `index` (a fresh Connman over its kept files). */
  startNode(index: number): Connman {
    const connman = this.startConnman(index);
    this.lifetimes?.nodeStarted(index);
    return connman;
  }

  private startConnman(index: number): Connman {
    const n = this.nodes[index]!;
    if (n.connman !== undefined) throw new Error(`world: node ${index} is already running`);
    if (!this.network.isUp(n.host)) this.network.setHostUp(n.host);
    const scheduler = new NodeScheduler(this.scheduler);
    const events: EventSink = this.events.sinkFor(index);
    const dns: DnsSeedResolver = { resolve: (seed, max) => this.dns.resolve(seed, max) };
    const context = buildNode(
      { clock: this.clock, scheduler, rng: connmanRngFor(this.rng, index, n.starts), transport: n.transport, events, files: n.files, dns, log: this.options.debugLog?.(index, () => this.clock.nowMicros()) ?? NO_DEBUG_LOG },
      this.connmanOptionsFor(index),
      {
        addressPool: this.addressPool,
        ...(this.usesAsmap(index) ? { netgroupman: this.asmapNetgroupman! } : {}),
        ...(this.options.blocks === true ? { blocks: { genesis: this.genesis } } : {}),
        ...(this.pingHub !== undefined ? { keepAlive: this.pingHub.keepAliveFor(n.transport) } : {}),
      },
    );
    n.context = context;
    n.connman = context.connman;
    n.scheduler = scheduler;
    n.starts++;
    context.start();
    return context.connman;
  }

  /**
   * Graceful shutdown: Core's StopNodes (anchors.dat and peers.dat written to the node's files),
   * then the host leaves the network; its peers see their connections closed.
   */
  stopNode(index: number): void {
    const n = this.nodes[index]!;
    if (n.context === undefined) return;
    n.context.stop();
    this.retire(n, 'close');
  }

  /**
   * Installs a network fault rule now. Keep-alive traffic computed on the analytic ping path is
   * handed back to the message path first, since the rule may change its timing.
   */
  addFault(rule: FaultRule): FaultHandle {
    this.pingHub?.materializeAll(this.clock.nowMicros());
    return this.network.addFault(rule);
  }

  /** Removes a fault rule; false if it was not installed. */
  removeFault(handle: FaultHandle): boolean {
    return this.network.removeFault(handle);
  }

  /** A crash: no files written, the host vanishes and peers notice only through their timeouts. */
  crashNode(index: number): void {
    const n = this.nodes[index]!;
    if (n.context === undefined) return;
    n.context.connman.detachKeepAlive();
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

  /**
   * A host on the next address of the world's plan, in a region drawn as a node's is, for an actor
   * that installs its own handlers (a scripted test peer: actors/scripted-peer.ts addScriptedPeer).
   */
  addPlannedHost(): { host: HostId; service: Service } {
    const address = this.plan.next();
    const host = this.network.addHost({ addresses: [simAddressOf(address)], region: this.nextRegion() });
    return { host, service: address.withPort(DEFAULT_P2P_PORT) };
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
    return this.pickRegion(this.regionRng);
  }

  private pickRegion(rng: SimRng): number {
    if (this.regionTable !== undefined) return this.regionTable.sample(rng);
    const r = this.options.regions ?? 1;
    return r > 1 ? rng.randrange(r) : 0;
  }

  /** A family drawn by the world's shares. */
  private drawFamily(rng: SimRng): AddressFamily {
    const shares = this.familyShares!;
    const u = rng.random();
    let acc = 0;
    for (let i = 0; i < ADDRESS_FAMILIES.length; i++) {
      acc += shares[i]!;
      if (u < acc) return ADDRESS_FAMILIES[i]!;
    }
    for (let i = ADDRESS_FAMILIES.length - 1; i >= 0; i--) if (shares[i]! > 0) return ADDRESS_FAMILIES[i]!;
    return 'ipv4';
  }

  /** Honest endpoints when families, an AS model or a seed list is given: the seed list first, then generated. */
  private plannedHonestAddresses(count: number, seedList: readonly Service[]): Service[] {
    const plan = this.familyPlan!;
    const out: Service[] = [];
    const seeded = Math.min(count, seedList.length);
    for (let i = 0; i < seeded; i++) {
      const s = seedList[i]!;
      if (familyOf(s) === null) throw new RangeError(`world: seed list entry ${i} (${s.toStringAddrPort()}) is not a routable address`);
      if (!plan.claim(s.toNetAddr())) throw new RangeError(`world: seed list entry ${i} (${s.toStringAddrPort()}) repeats an address`);
      out.push(s);
    }
    const counts = familyCounts(count - seeded, this.options.families ?? { ipv4: 1 });
    const fams: AddressFamily[] = [];
    ADDRESS_FAMILIES.forEach((f, i) => {
      for (let k = 0; k < counts[i]!; k++) fams.push(f);
    });
    this.rng.fork('families').shuffle(fams);
    for (const f of fams) out.push(plan.next(f).withPort(f === 'i2p' ? I2P_SAM31_PORT : DEFAULT_P2P_PORT));
    return out;
  }

  private createNode(service: Service, listening: boolean, region: () => number = () => this.nextRegion(), behindNat = false): WorldNode {
    const address = service.toNetAddr();
    const host = this.network.addHost({ addresses: [simAddressOf(address)], region: region(), behindNat });
    const node: WorldNode = {
      index: this.nodes.length,
      host,
      address,
      service,
      listening,
      behindNat,
      family: familyOf(address) ?? 'ipv4',
      files: new MemoryFileStore(),
      transport: this.hub.transportFor(host),
      context: undefined,
      connman: undefined,
      starts: 0,
      scheduler: undefined,
      startPending: false,
    };
    this.nodes.push(node);
    return node;
  }

  private retire(n: WorldNode, notify: 'none' | 'close'): void {
    n.scheduler?.retire();
    n.transport.detach();
    this.network.setHostDown(n.host, notify);
    n.context = undefined;
    n.connman = undefined;
    n.scheduler = undefined;
    this.lifetimes?.nodeRetired(n.index);
    for (const fn of this.retiredListeners) fn(n.index, notify === 'none' ? 'crashed' : 'stopped');
  }
}

/** IPv4 or IPv6 (a NAT is a clearnet matter: Tor, I2P and CJDNS listeners are reachable as such). */
function isClearnet(s: Service): boolean {
  return s.isIPv4() || (s.isIPv6() && s.getNetwork() === NetKind.NET_IPV6);
}

const CLEARNET: readonly NetKind[] = [NetKind.NET_UNROUTABLE, NetKind.NET_IPV4, NetKind.NET_IPV6, NetKind.NET_INTERNAL];

/**
 * What a privacy-network node's Core is configured with (see the file header): reachable networks,
 * and for Tor an onion bind (inbound there counts as inbound onion); a CJDNS node binds its fc00::/8
 * address in the IPv6 form the OS reports, as -bind=[fc..] does. Clearnet nodes keep the defaults.
 */
function familyConnmanOptions(n: WorldNode): Partial<ConnmanOptions> {
  switch (n.family) {
    case 'onion':
      return { reachableNets: new Set([...CLEARNET, NetKind.NET_ONION]), binds: n.listening ? [{ service: n.service, onion: true }] : [] };
    case 'i2p':
      return { reachableNets: new Set([...CLEARNET, NetKind.NET_I2P]) };
    case 'cjdns':
      return {
        reachableNets: new Set([...CLEARNET, NetKind.NET_CJDNS]),
        binds: n.listening ? [{ service: new Service(NetKind.NET_IPV6, n.service.addr, n.service.port) }] : [],
      };
    default:
      return {};
  }
}
