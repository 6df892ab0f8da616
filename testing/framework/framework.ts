// Core's BitcoinTestFramework (test_framework/test_framework.py) for the port: N TestNodes on one
// loopback network, Core's setup (cached or clean chain, setup_network's node(i+1) -> node(i)),
// connect_nodes / disconnect_nodes, restart helpers, and the event loop that stands in for Core's
// threads. Everything is synchronous and deterministic: `settle` runs every node's due timers and
// every delivery until nothing is left at the current instant (Core's loops catching up); a wait
// lets the wall clock move to the next event until its condition holds or its timeout passes. A
// node whose mock time is set does not see the wall clock move: only setmocktime moves its time,
// and its next loop pass (settle) sees the jump.

import { FastRandomContext } from '../../connman/index.ts';
import { RealClock } from './clock.ts';
import { p2pPort, TestNetwork } from './network.ts';
import { TestNode, WaitTimeout } from './test-node.ts';

/** The wall clock a test starts at, seconds (any fixed instant: runs must be reproducible). */
export const TEST_EPOCH_SECONDS = 1_700_000_000;

export interface TestFrameworkOptions {
  /** Core: num_nodes. Default 1. */
  numNodes?: number;
  /** Core: setup_clean_chain (genesis, in IBD); default false (the 200-block cached chain, tip time now). */
  setupCleanChain?: boolean;
  /** Core: extra_args, one list per node. */
  extraArgs?: readonly (readonly string[])[];
  /** Core: disable_autoconnect (bitcoin.conf connect=0). Default true. */
  disableAutoconnect?: boolean;
  /**
   * Core: setup_network. Default: node(i+1) connects to node(i); false: nodes start unconnected;
   * a function: the test's own setup, called after the nodes started.
   */
  setupNetwork?: boolean | ((f: TestFramework) => void);
  /** The seed of every random stream of the test (nodes, peers' nonces). Default 0. */
  seed?: number;
}

/** The work a settle may do at one instant before it is called a runaway loop. */
const MAX_STEPS_PER_SETTLE = 5_000_000;

// Core: test_framework/test_framework.py BitcoinTestFramework
export class TestFramework {
  readonly nodes: TestNode[] = [];
  readonly real = new RealClock(TEST_EPOCH_SECONDS * 1_000_000);
  readonly network = new TestNetwork(this.real);
  readonly seed: number;
  readonly disableAutoconnect: boolean;
  private readonly rng: FastRandomContext;
  /** Peer actions waiting for the wall clock (a peer that answers after a delay). */
  private wallTimers: { at: number; seq: number; fn: () => void }[] = [];
  private wallSeq = 0;

  constructor(opts: TestFrameworkOptions = {}) {
    this.seed = opts.seed ?? 0;
    this.disableAutoconnect = opts.disableAutoconnect ?? true;
    const s = new Uint8Array(32);
    new DataView(s.buffer).setUint32(0, this.seed >>> 0, true);
    s[31] = 0x54;
    this.rng = new FastRandomContext(s);
    const n = opts.numNodes ?? 1;
    for (let i = 0; i < n; i++) {
      this.nodes.push(new TestNode(this, i, opts.extraArgs?.[i] ?? [], { cleanChain: opts.setupCleanChain ?? false }));
    }
    for (const node of this.nodes) node.start();
    const setup = opts.setupNetwork ?? true;
    if (setup === true) {
      for (let i = 0; i < n - 1; i++) this.connectNodes(i + 1, i);
    } else if (typeof setup === 'function') {
      setup(this);
    }
  }

  /** Python's int(time.time()): the wall clock in whole seconds. */
  time(): number {
    return Math.floor(this.real.micros / 1_000_000);
  }

  realMicros(): number {
    return this.real.micros;
  }

  /** A 64-bit nonce from the test's stream. */
  nonce(): bigint {
    return this.rng.rand64();
  }

  /** A uniform integer in [0, n) from the test's stream (Python's random.randrange). */
  randrange(n: number): number {
    return this.rng.randrange(n);
  }

  /** A peer callback sleeps on the peers' thread (Python's time.sleep inside on_*). */
  blockPeerThread(seconds: number): void {
    this.network.blockPeerThread(seconds);
  }

  /** Runs `fn` once `seconds` of wall time have passed. */
  afterWallSeconds(seconds: number, fn: () => void): void {
    this.wallTimers.push({ at: this.real.micros + Math.round(seconds * 1_000_000), seq: this.wallSeq++, fn });
  }

  /**
   * Runs everything due at the current instant: every node's due timers (Core's loop passes, at
   * the node's time), every delivery to a scripted peer, every wall-clock peer action that is due.
   */
  settle(): void {
    let steps = 0;
    for (;;) {
      let progressed = false;
      for (const node of this.nodes) {
        const s = node.schedulerOrNull();
        while (s !== null && s.runOne()) {
          progressed = true;
          if (++steps > MAX_STEPS_PER_SETTLE) throw new Error('settle: runaway event loop');
        }
      }
      while (this.network.runPeerWork()) {
        progressed = true;
        if (++steps > MAX_STEPS_PER_SETTLE) throw new Error('settle: runaway event loop');
      }
      const due = this.popDueWallTimer();
      if (due !== null) {
        due();
        progressed = true;
      }
      if (!progressed) return;
    }
  }

  private popDueWallTimer(): (() => void) | null {
    let bi = -1;
    for (let i = 0; i < this.wallTimers.length; i++) {
      const t = this.wallTimers[i]!;
      if (t.at > this.real.micros) continue;
      if (bi < 0 || t.at < this.wallTimers[bi]!.at || (t.at === this.wallTimers[bi]!.at && t.seq < this.wallTimers[bi]!.seq)) bi = i;
    }
    if (bi < 0) return null;
    return this.wallTimers.splice(bi, 1)[0]!.fn;
  }

  /** The next instant the wall clock can bring anything: a node on system time's timer, or a peer action. */
  private nextWallEvent(): number {
    let next = Infinity;
    for (const node of this.nodes) {
      const s = node.schedulerOrNull();
      if (s !== null && s.mockSeconds === null) next = Math.min(next, s.nextDue());
    }
    for (const t of this.wallTimers) next = Math.min(next, t.at);
    return Math.min(next, this.network.peerThreadWakeAt());
  }

  /** Lets `seconds` of wall time pass, running what falls due on the way (Python's time.sleep). */
  sleep(seconds: number): void {
    this.advanceWallTo(this.real.micros + Math.round(seconds * 1_000_000));
  }

  private advanceWallTo(target: number): void {
    this.settle();
    for (;;) {
      const next = this.nextWallEvent();
      if (next > target) break;
      if (next > this.real.micros) this.real.micros = next;
      this.settle();
    }
    this.real.micros = Math.max(this.real.micros, target);
    this.settle();
  }

  /**
   * Python's wait_until: settles, then lets the wall clock run event by event until `pred` holds;
   * throws WaitTimeout after `timeoutSeconds` of wall time.
   */
  waitUntil(pred: () => boolean, timeoutSeconds = 60, what = 'wait_until'): void {
    this.settle();
    if (pred()) return;
    const deadline = this.real.micros + Math.round(timeoutSeconds * 1_000_000);
    for (;;) {
      const next = this.nextWallEvent();
      if (next > deadline) break;
      if (next > this.real.micros) this.real.micros = next;
      this.settle();
      if (pred()) return;
    }
    this.real.micros = Math.max(this.real.micros, deadline);
    this.settle();
    if (pred()) return;
    throw new WaitTimeout(`${what}: condition not met within ${timeoutSeconds} s of test time`);
  }

  /** Core's connect_nodes: node a opens a manual connection to node b and both finish the handshake. */
  // Core: test_framework/test_framework.py BitcoinTestFramework.connect_nodes
  connectNodes(a: number, b: number): void {
    const from = this.nodes[a]!;
    const to = this.nodes[b]!;
    const fromNum = from.rpc.getpeerinfo().length + 1;
    const toNum = to.rpc.getpeerinfo().length + 1;
    from.rpc.addnode(`127.0.0.1:${p2pPort(b)}`, 'onetry');
    const count = (n: TestNode, f: (p: ReturnType<TestNode['rpc']['getpeerinfo']>[number]) => boolean): number => n.rpc.getpeerinfo().filter(f).length;
    this.waitUntil(() => count(from, (p) => p.version !== 0) === fromNum, 60, 'connect_nodes: version');
    this.waitUntil(() => count(to, (p) => p.version !== 0) === toNum, 60, 'connect_nodes: version');
    this.waitUntil(() => count(from, (p) => (p.bytesrecv_per_msg['verack'] ?? 0) >= 21) === fromNum, 60, 'connect_nodes: verack');
    this.waitUntil(() => count(to, (p) => (p.bytesrecv_per_msg['verack'] ?? 0) >= 21) === toNum, 60, 'connect_nodes: verack');
    this.waitUntil(() => count(from, (p) => (p.bytesrecv_per_msg['pong'] ?? 0) >= 29) === fromNum, 60, 'connect_nodes: pong');
    this.waitUntil(() => count(to, (p) => (p.bytesrecv_per_msg['pong'] ?? 0) >= 29) === toNum, 60, 'connect_nodes: pong');
  }

  /** Core's disconnect_nodes: node a drops every connection to node b, and b's side goes too. */
  // Core: test_framework/test_framework.py BitcoinTestFramework.disconnect_nodes
  disconnectNodes(a: number, b: number): void {
    const from = this.nodes[a]!;
    // Python matches the other node's name (its -uacomment) in the peer's subversion.
    const toSubver = (i: number): number[] =>
      from.rpc
        .getpeerinfo()
        .filter((p) => p.subver.includes(`testnode${i}`))
        .map((p) => p.id);
    for (const id of toSubver(b)) from.rpc.disconnectnode({ nodeid: id });
    this.waitUntil(() => toSubver(b).length === 0, 5, 'disconnect_nodes');
  }

  /** Python's restart_node. */
  restartNode(i: number, extraArgs?: readonly string[], opts: { clearAddrman?: boolean } = {}): void {
    this.nodes[i]!.restart(extraArgs ?? this.nodes[i]!.extraArgs, opts);
  }

  stopNode(i: number): void {
    this.nodes[i]!.stop();
  }

  startNode(i: number, extraArgs?: readonly string[]): void {
    this.nodes[i]!.start(extraArgs ?? this.nodes[i]!.extraArgs);
  }
}
