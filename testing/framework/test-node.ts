// Core's test_framework/test_node.py TestNode over the port: a node started with Core's
// functional-test configuration (bitcoin.conf of util.write_config plus bind=127.0.0.1 and the
// command line TestNode adds), its datadir (files that survive restarts), its debug.log, its RPCs
// (NodeRpc plus the regtest-only setmocktime / bumpmocktime, generate and the chain queries the p2p
// tests use), and the helpers that attach scripted peers: addP2PConnection, addOutboundP2PConnection,
// disconnectP2Ps, assertDebugLog, assertStartRaisesInitError.

import {
  buildNode,
  FastRandomContext,
  InitError,
  MemoryFiles,
  NodeRpc,
  parseNodeArgs,
  parseService,
  RPCError,
  RpcErrorCodes,
  type BlockRef,
  type ConnmanEvent,
  type NodeArgs,
  type NodeContext,
  type Service,
} from '../../connman/index.ts';
import { NodeScheduler } from './clock.ts';
import { TestDebugLog } from './debug-log.ts';
import { MAX_NODES, p2pPort, TestTransport } from './network.ts';
import { P2P_SERVICES, P2P_SUBVERSION, type P2PInterface } from './p2p.ts';
import type { TestFramework } from './framework.ts';

/** Core: kernel/chainparams.cpp regtest genesis nTime. */
export const REGTEST_GENESIS_TIME = 1296688602;
/** Core: kernel/chainparams.cpp regtest vSeeds. */
export const REGTEST_DNS_SEEDS: readonly string[] = ['dummySeed.invalid.'];
/** The height of the framework's cached chain (199 cached blocks plus the one setup_nodes mines). */
export const CACHED_CHAIN_HEIGHT = 200;

/** The datadir of one node: named files that survive restarts. */
export class DataDir extends MemoryFiles {
  exists(name: string): boolean {
    return this.files.has(name);
  }
}

/** Options of addP2PConnection (Core: TestNode.add_p2p_connection's keyword arguments). */
export interface AddP2PConnectionOptions {
  waitForVerack?: boolean;
  sendVersion?: boolean;
  expectSuccess?: boolean;
  /** Default p2p_port(node index). */
  dstport?: number;
  dstaddr?: string;
  services?: number;
}

/** Options of addOutboundP2PConnection (Core: TestNode.add_outbound_p2p_connection). */
export interface AddOutboundP2PConnectionOptions {
  p2pIdx: number;
  connectionType?: 'outbound-full-relay' | 'block-relay-only' | 'addr-fetch' | 'feeler' | string;
  waitForVerack?: boolean;
  waitForDisconnect?: boolean;
  services?: number;
}

/** Options of assertDebugLog. */
export interface AssertDebugLogOptions {
  unexpected?: readonly string[];
  /** Seconds of test time to wait for the expected lines (Core's timeout; default 0: one check). */
  timeout?: number;
}

// Core: test_framework/test_node.py TestNode
export class TestNode {
  readonly datadir = new DataDir();
  readonly debugLog: TestDebugLog;
  /** Scripted peers attached with addP2PConnection / addOutboundP2PConnection (Python's node.p2ps). */
  p2ps: P2PInterface[] = [];
  /** The mock time the test set (Python's node.mocktime); null when the node reads system time. */
  mocktime: number | null = null;
  /** Events of the running Connman (white-box tests). */
  readonly events: ConnmanEvent[] = [];
  /** The chain tip (blocks/ and chainstate/ survive restarts). */
  private tip: BlockRef;
  private context: NodeContext | null = null;
  private scheduler: NodeScheduler | null = null;
  private transport: TestTransport | null = null;
  private starts = 0;
  private args: NodeArgs | null = null;
  /** IsInitialBlockDownload returned false once since the start. */
  private ibdFinished = false;

  constructor(
    readonly framework: TestFramework,
    readonly index: number,
    /** The node's extra_args (a restart without arguments uses these). */
    readonly extraArgs: readonly string[],
    chain: { cleanChain: boolean },
  ) {
    this.debugLog = new TestDebugLog(
      () => this.framework.realMicros(),
      () => this.scheduler?.mockSeconds ?? null,
    );
    this.tip = chain.cleanChain ? { height: 0, timeSeconds: REGTEST_GENESIS_TIME } : { height: CACHED_CHAIN_HEIGHT, timeSeconds: framework.time() };
  }

  /** bitcoin.conf as test_framework/util.py write_config writes it (the settings the port reads), plus bind=127.0.0.1. */
  // Core: test_framework/util.py write_config, test_framework/test_framework.py add_nodes (bind_to_localhost_only)
  confLines(): string[] {
    const lines = [
      'regtest=1',
      `port=${p2pPort(this.index)}`,
      'discover=0',
      'dnsseed=0',
      'fixedseeds=0',
      'listenonion=0',
      'peertimeout=999999999',
      'natpmp=0',
      'maxconnections=94',
    ];
    if (this.framework.disableAutoconnect) lines.push('connect=0');
    lines.push('bind=127.0.0.1');
    return lines;
  }

  /** The command line TestNode adds before the test's extra_args. */
  // Core: test_framework/test_node.py TestNode.__init__ (self.args)
  baseArgs(): string[] {
    return ['-logtimemicros', '-debug', '-debugexclude=leveldb', '-debugexclude=rand', `-uacomment=testnode${this.index}`, '-v2transport=0'];
  }

  get running(): boolean {
    return this.context !== null;
  }

  /** The running node's NodeContext (white-box access). */
  get ctx(): NodeContext {
    if (this.context === null) throw new Error(`node ${this.index} is not running`);
    return this.context;
  }

  /**
   * The node's RPCs (Core's names and results). The node's loops run on after each call, before
   * the test goes on: Core's RPC thread does the work (addconnection's connect, disconnectnode's
   * mark) while the other threads keep running, so the next step sees what followed from it.
   */
  get rpc(): NodeRpc {
    return new SettlingRpc(this.ctx, this.framework);
  }

  /** The node's listening service, 127.0.0.1:p2p_port(n). */
  get p2pService(): Service {
    return svc(`127.0.0.1:${p2pPort(this.index)}`);
  }

  /** Starts bitcoind with these arguments (default: extra_args). Throws InitError on a bad option. */
  // Core: test_framework/test_node.py TestNode.start (and init.cpp AppInitMain for the connection layer)
  start(extraArgs: readonly string[] = this.extraArgs): void {
    if (this.context !== null) throw new Error(`node ${this.index} is already running`);
    const args = parseNodeArgs(this.confLines(), [...this.baseArgs(), ...extraArgs], {
      dnsSeeds: REGTEST_DNS_SEEDS,
      fixedSeedList: [],
    });
    this.args = args;
    this.debugLog.configure(args.debug, args.debugExclude);
    const sched = new NodeScheduler(this.framework.real, args.mocktime);
    const transport = new TestTransport(this.framework.network, sched);
    transport.proxy = args.proxy;
    transport.onionProxy = args.onionProxy;
    const seed = new Uint8Array(32);
    new DataView(seed.buffer).setUint32(0, this.framework.seed >>> 0, true);
    seed[4] = this.index;
    seed[5] = this.starts & 0xff;
    seed[6] = 0x4e;
    this.starts++;
    this.events.length = 0;
    const events = this.events;
    const ctx = buildNode(
      {
        clock: sched,
        scheduler: sched,
        rng: new FastRandomContext(seed),
        transport,
        events: { emit: (e) => events.push(e) },
        files: this.datadir,
        dns: { resolve: () => [] },
        log: this.debugLog,
      },
      args.options,
      { blocks: { genesis: this.tip } },
    );
    this.scheduler = sched;
    this.transport = transport;
    this.context = ctx;
    this.ibdFinished = false;
    this.isInitialBlockDownload();
    ctx.start();
    this.framework.settle();
  }

  /** Stops the node (anchors.dat and peers.dat written, every connection closed). */
  // Core: test_framework/test_node.py TestNode.stop_node
  stop(): void {
    if (this.context === null) return;
    this.tip = this.context.blocks?.getTip() ?? this.tip;
    this.context.stop();
    this.framework.settle();
    this.transport!.closeAll();
    this.scheduler!.clear();
    this.context = null;
    this.transport = null;
    this.scheduler = null;
    this.p2ps = [];
    this.framework.settle();
  }

  /** Python's restart_node: stop, then start with these arguments (default: extra_args). */
  restart(extraArgs: readonly string[] = this.extraArgs, opts: { clearAddrman?: boolean } = {}): void {
    this.stop();
    if (opts.clearAddrman === true) {
      this.datadir.delete('peers.dat');
      this.assertDebugLog(['Creating peers.dat because the file was not found'], () => this.start(extraArgs));
      return;
    }
    this.start(extraArgs);
  }

  /** The node's scheduler (the framework drains it). */
  schedulerOrNull(): NodeScheduler | null {
    return this.scheduler;
  }

  /** The parsed arguments of the running (or last) start. */
  get nodeArgs(): NodeArgs {
    if (this.args === null) throw new Error(`node ${this.index} was never started`);
    return this.args;
  }

  // --- regtest-only RPCs -----------------------------------------------------------------------

  /** Core's setmocktime RPC (and the Python attribute node.mocktime); 0 returns to system time. */
  // Core: rpc/node.cpp setmocktime
  setmocktime(t: number): void {
    if (!Number.isInteger(t) || t < 0 || t > 4294967295) {
      throw new RPCError(RpcErrorCodes.RPC_INVALID_PARAMETER, `Mocktime must be in the range [0, 4294967295], not ${t}.`);
    }
    this.mocktime = t === 0 ? null : t;
    this.scheduler?.setMockSeconds(t === 0 ? null : t);
    // The next loop pass sees the new time.
    this.framework.settle();
  }

  /** Python's bumpmocktime: the mock time moves on by `seconds`. */
  bumpmocktime(seconds: number): void {
    if (this.mocktime === null) throw new Error('bumpmocktime: the mock time must be set first (setmocktime)');
    this.setmocktime(this.mocktime + seconds);
  }

  /** The node clock in whole seconds (NodeClock::now()). */
  nowSeconds(): number {
    return Math.floor(this.ctx.connman.nowMicros() / 1_000_000);
  }

  /** Mines `n` blocks on the node's tip, each stamped with the node clock (Core's generate). */
  generate(n: number): number[] {
    const blocks = this.ctx.blocks!;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const b: BlockRef = { height: blocks.getTip().height + 1, timeSeconds: this.nowSeconds() };
      blocks.submitBlock(b);
      out.push(b.height);
    }
    this.isInitialBlockDownload();
    this.framework.settle();
    return out;
  }

  getblockcount(): number {
    return this.ctx.blocks!.getTip().height;
  }

  /** The tip's "hash": the model names blocks by height. */
  getbestblockhash(): number {
    return this.getblockcount();
  }

  /** The header of a block of the node's chain (height and timestamp). */
  getblockheader(height: number = this.getblockcount()): BlockRef {
    const tip = this.ctx.blocks!.getTip();
    if (height > tip.height || height < 0) throw new RPCError(-5, 'Block not found');
    return this.ctx.blocks!.blockAt(height);
  }

  /** Core's getblock (verbosity 1) for what the p2p tests read: hash (the height), time and size. */
  getblock(height: number): { hash: number; height: number; time: number; size: number } {
    const b = this.getblockheader(height);
    return { hash: b.height, height: b.height, time: b.timeSeconds, size: this.ctx.blocks!.blockPayloadBytes };
  }

  /**
   * Core's getblockchaininfo().initialblockdownload: the tip is older than a day (-maxtipage),
   * until the first time it is not; from then on false until a restart (Core latches it in
   * ChainstateManager, and its loops ask often enough that it latches as soon as it can).
   */
  // Core: validation.cpp ChainstateManager::IsInitialBlockDownload (m_cached_is_ibd latch)
  isInitialBlockDownload(): boolean {
    if (this.ibdFinished) return false;
    if (this.ctx.blocks!.getTip().timeSeconds < this.nowSeconds() - 24 * 3600) return true;
    this.ibdFinished = true;
    return false;
  }

  // --- scripted peers ---------------------------------------------------------------------------

  /** Connects a scripted peer to this node (Core: TestNode.add_p2p_connection). */
  // Core: test_framework/test_node.py TestNode.add_p2p_connection
  addP2PConnection<P extends P2PInterface>(p2p: P, opts: AddP2PConnectionOptions = {}): P {
    const dst = svc(`${opts.dstaddr ?? '127.0.0.1'}:${opts.dstport ?? p2pPort(this.index)}`);
    p2p.bind(this.framework, true);
    if (opts.sendVersion ?? true) p2p.peerConnectSendVersion(opts.services ?? P2P_SERVICES, dst);
    const link = this.framework.network.connectFromPeer(p2p, dst);
    if (link === null) throw new Error(`add_p2p_connection: connection to ${dst.toStringAddrPort()} refused`);
    this.p2ps.push(p2p);
    if (!(opts.expectSuccess ?? true)) {
      this.framework.settle();
      return p2p;
    }
    p2p.waitForConnect();
    if (opts.waitForVerack ?? true) {
      p2p.waitForVerack();
      p2p.syncWithPing();
      const local = p2p.localService!.toStringAddrPort();
      const matches = this.rpc.getpeerinfo().filter((p) => p.addr === local && p.addrbind === dst.toStringAddrPort() && p.subver === P2P_SUBVERSION);
      if (matches.length !== 1) throw new Error(`add_p2p_connection: expected one getpeerinfo entry for ${local}, found ${matches.length}`);
    }
    return p2p;
  }

  /** The node connects out to a scripted peer listening on p2p_port(MAX_NODES - (p2pIdx + 1)) (addconnection RPC). */
  // Core: test_framework/test_node.py TestNode.add_outbound_p2p_connection
  addOutboundP2PConnection<P extends P2PInterface>(p2p: P, opts: AddOutboundP2PConnectionOptions): P {
    const type = opts.connectionType ?? 'outbound-full-relay';
    const port = p2pPort(MAX_NODES - (opts.p2pIdx + 1));
    p2p.bind(this.framework, false);
    p2p.peerConnectSendVersion(opts.services ?? P2P_SERVICES, null);
    this.framework.network.listenPeer(svc(`127.0.0.1:${port}`), p2p);
    this.rpc.addconnection(`127.0.0.1:${port}`, type, false);
    if (type === 'feeler' || opts.waitForDisconnect === true) {
      p2p.waitUntil(() => p2p.messageCount['version'] === 1, 60, 'add_outbound_p2p_connection: version', false);
      p2p.waitUntil(() => !p2p.isConnected, 60, 'add_outbound_p2p_connection: disconnect', false);
      return p2p;
    }
    p2p.waitForConnect();
    this.p2ps.push(p2p);
    if (opts.waitForVerack ?? true) {
      p2p.waitForVerack();
      p2p.syncWithPing();
    }
    return p2p;
  }

  /** Python's num_test_p2p_connections: getpeerinfo entries whose subver is the test framework's. */
  numTestP2PConnections(): number {
    return this.rpc.getpeerinfo().filter((p) => p.subver === P2P_SUBVERSION).length;
  }

  /** Python's disconnect_p2ps: every scripted peer closes, then the node has none left. */
  disconnectP2Ps(): void {
    for (const p of this.p2ps) p.peerDisconnect();
    this.p2ps = [];
    this.framework.waitUntil(() => this.numTestP2PConnections() === 0, 60, 'disconnect_p2ps');
  }

  // --- assertions ---------------------------------------------------------------------------------

  /**
   * Core's assert_debug_log: runs `fn`, then every expected string must be a substring of what the
   * log gained since (order free), none of `unexpected` may be; waits up to `timeout` seconds.
   */
  // Core: test_framework/test_node.py TestNode.assert_debug_log
  assertDebugLog<T>(expected: readonly string[], fn: () => T, opts: AssertDebugLogOptions = {}): T {
    const mark = this.debugLog.mark();
    const result = fn();
    const unexpected = opts.unexpected ?? [];
    const check = (): boolean => {
      const text = this.debugLog.since(mark);
      for (const u of unexpected) if (text.includes(u)) throw new Error(`Unexpected message "${u}" partially matches log:\n\n${text}`);
      return expected.every((e) => text.includes(e));
    };
    if (check()) return result;
    if ((opts.timeout ?? 0) > 0) {
      try {
        this.framework.waitUntil(check, opts.timeout!, 'assert_debug_log');
        return result;
      } catch (e) {
        if (!(e instanceof WaitTimeout)) throw e;
      }
    }
    const text = this.debugLog.since(mark);
    const missing = expected.filter((e) => !text.includes(e));
    throw new Error(`Expected messages "${JSON.stringify(missing)}" does not partially match log:\n\n${text}`);
  }

  /** Core's assert_start_raises_init_error (FULL_TEXT match of "Error: <message>"). */
  // Core: test_framework/test_node.py TestNode.assert_start_raises_init_error
  assertStartRaisesInitError(extraArgs: readonly string[], expectedMsg: string): void {
    try {
      this.start(extraArgs);
    } catch (e) {
      if (!(e instanceof InitError)) throw e;
      const got = `Error: ${e.message}`;
      if (got !== expectedMsg) throw new Error(`Expected message "${expectedMsg}" does not fully match stderr:\n"${got}"`);
      return;
    }
    this.stop();
    throw new Error('bitcoind should have exited with an error');
  }
}

/** NodeRpc whose every call is followed by a settle of the test's event queues. */
class SettlingRpc extends NodeRpc {
  constructor(
    node: NodeContext,
    private readonly framework: TestFramework,
  ) {
    super(node);
  }
  override call(method: string, params: readonly unknown[] | Readonly<Record<string, unknown>> = []): unknown {
    try {
      return super.call(method, params);
    } finally {
      this.framework.settle();
    }
  }
}

/** The framework's wait ran out of time (Python's wait_until AssertionError). */
export class WaitTimeout extends Error {}

function svc(text: string): Service {
  const r = parseService(text, 0);
  if (!r.ok) throw new Error(`bad service ${text}`);
  return r.value;
}
