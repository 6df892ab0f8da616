// The loopback network of a functional test: every node and every scripted peer lives on 127.0.0.1
// (as in Core's test framework), nodes listen on p2p_port(n), scripted peers either connect to a
// node or listen on p2p_port(MAX_NODES - (p2p_idx + 1)) for the node to connect out. A connection
// is a pair of ends; what one end sends arrives at the other after everything sent before it, at
// the receiver's current time (no latency: Core's tests run on one machine). A node may connect to
// itself: its outbound and inbound ends are two connections of the same Connman (the self-connection
// Core detects by nonce). Deliveries to a node go through its scheduler; deliveries to a scripted
// peer through the framework's peer queue. It holds no P2P logic.

import { Network, parseService, type ConnHandle, type ConnectFailure, type Micros, type P2PMessage, type Service, type Transport, type TransportHandlers } from '../../connman/index.ts';
import type { NodeScheduler, RealClock } from './clock.ts';

/** Core's test framework ports (test_framework/util.py with PortSeed.n = 0). */
export const PORT_MIN = 11000;
export const MAX_NODES = 12;
/** Core: test_framework/util.py p2p_port */
export function p2pPort(n: number): number {
  return PORT_MIN + n;
}
/** The first port handed to a connecting socket (the OS's ephemeral range). */
const FIRST_EPHEMERAL_PORT = 40000;

/** What a scripted peer's side of a connection is told. */
export interface PeerEndpoint {
  /** The connection is up; `initiator` when this peer connected (to a node). */
  onOpen(link: Link): void;
  onMessage(msg: P2PMessage): void;
  /** The other end closed (not called after the peer's own close). */
  onClose(): void;
}

type End =
  | { readonly kind: 'node'; readonly transport: TestTransport; readonly handle: ConnHandle; readonly local: Service }
  | { readonly kind: 'peer'; readonly peer: PeerEndpoint; readonly local: Service }
  /** A listener that accepts and never speaks (a SOCKS5 proxy whose far side never answers). */
  | { readonly kind: 'sink'; readonly local: Service };

/** One TCP connection between two ends. */
export class Link {
  /** Ends that have closed their side (they send and receive nothing more). */
  private readonly closedEnds = new Set<End>();
  constructor(
    readonly net: TestNetwork,
    readonly a: End,
    readonly b: End,
  ) {}
  other(e: End): End {
    return e === this.a ? this.b : this.a;
  }
  isClosed(e: End): boolean {
    return this.closedEnds.has(e);
  }
  markClosed(e: End): void {
    this.closedEnds.add(e);
  }
  /** The end a scripted peer holds (its `a` when it connected, `b` when it accepted). */
  peerEnd(): End {
    return this.a.kind === 'peer' ? this.a : this.b;
  }
}

type Listener = { readonly kind: 'node'; readonly transport: TestTransport } | { readonly kind: 'peer'; readonly peer: PeerEndpoint } | { readonly kind: 'sink' };

/**
 * The 127.0.0.1 network of one test: listeners, connections, and the work of Python's network
 * thread — deliveries to scripted peers, and what peers send while a peer callback sleeps.
 */
export class TestNetwork {
  private readonly listeners = new Map<string, Listener>();
  private nextEphemeral = FIRST_EPHEMERAL_PORT;
  /** Deliveries to scripted peers, run in order by the framework. */
  readonly peerQueue: (() => void)[] = [];
  /** Wall time until which the peers' thread sleeps (a callback called time.sleep). */
  private peerThreadBusyUntil = 0;
  /** Sends and closes by peers while their thread slept, in order. */
  private readonly deferred: (() => void)[] = [];

  constructor(private readonly real: RealClock) {}

  /**
   * A peer callback sleeps `seconds` (Python's time.sleep on the network thread): until then no
   * peer receives anything, and what peers send (from a callback or from the test) waits.
   */
  blockPeerThread(seconds: number): void {
    this.peerThreadBusyUntil = Math.max(this.peerThreadBusyUntil, this.real.micros) + Math.round(seconds * 1_000_000);
  }

  private peerThreadBusy(): boolean {
    return this.real.micros < this.peerThreadBusyUntil;
  }

  /** When the peers' thread can next do something (Infinity: nothing waits for its sleep to end). */
  peerThreadWakeAt(): Micros {
    return this.peerThreadBusy() && (this.deferred.length > 0 || this.peerQueue.length > 0) ? this.peerThreadBusyUntil : Infinity;
  }

  /** Runs one piece of the peers' thread's work that is due (deferred sends first); false if none. */
  runPeerWork(): boolean {
    if (this.peerThreadBusy()) return false;
    const next = this.deferred.length > 0 ? this.deferred.shift()! : this.peerQueue.shift();
    if (next === undefined) return false;
    next();
    return true;
  }

  /** A fresh 127.0.0.1 port for a connecting socket. */
  ephemeral(): Service {
    return svc(`127.0.0.1:${this.nextEphemeral++}`);
  }

  listenNode(local: Service, transport: TestTransport): boolean {
    const k = local.toStringAddrPort();
    if (this.listeners.has(k)) return false;
    this.listeners.set(k, { kind: 'node', transport });
    return true;
  }

  unlisten(local: Service): void {
    this.listeners.delete(local.toStringAddrPort());
  }

  /** A scripted peer listens for one connection from a node (add_outbound_p2p_connection). */
  listenPeer(local: Service, peer: PeerEndpoint): void {
    this.listeners.set(local.toStringAddrPort(), { kind: 'peer', peer });
  }

  /** A listener that accepts every connection and never answers (a SOCKS5 proxy that never reaches its target). */
  listenSink(local: Service): void {
    this.listeners.set(local.toStringAddrPort(), { kind: 'sink' });
  }

  /** A scripted peer connects to `to`; null when nothing listens there (connection refused). */
  connectFromPeer(peer: PeerEndpoint, to: Service): Link | null {
    const l = this.listeners.get(to.toStringAddrPort());
    if (l === undefined || l.kind !== 'node') return null;
    const local = this.ephemeral();
    const peerEnd: End = { kind: 'peer', peer, local };
    const handle = l.transport.newHandle();
    const nodeEnd: End = { kind: 'node', transport: l.transport, handle, local: to };
    const link = new Link(this, peerEnd, nodeEnd);
    l.transport.attach(handle, link, nodeEnd);
    l.transport.sched.schedule(l.transport.sched.nowMicros(), () => {
      if (!link.isClosed(nodeEnd)) l.transport.handlers!.onAccept(handle, to, local);
    });
    peer.onOpen(link);
    return link;
  }

  /** A node connects out; its callbacks arrive through its scheduler. */
  connectFromNode(transport: TestTransport, handle: ConnHandle, to: Service): boolean {
    const l = this.listeners.get(to.toStringAddrPort());
    if (l === undefined) return false;
    const local = this.ephemeral();
    const from: End = { kind: 'node', transport, handle, local };
    let to_: End;
    if (l.kind === 'node') {
      const h2 = l.transport.newHandle();
      to_ = { kind: 'node', transport: l.transport, handle: h2, local: to };
      const link = new Link(this, from, to_);
      transport.attach(handle, link, from);
      l.transport.attach(h2, link, to_);
      const end = to_;
      l.transport.sched.schedule(l.transport.sched.nowMicros(), () => {
        if (!link.isClosed(end)) l.transport.handlers!.onAccept(h2, to, local);
      });
    } else if (l.kind === 'peer') {
      // One connection per listener, as the test framework's listen servers.
      this.listeners.delete(to.toStringAddrPort());
      to_ = { kind: 'peer', peer: l.peer, local: to };
      const link = new Link(this, from, to_);
      transport.attach(handle, link, from);
      this.peerQueue.push(() => l.peer.onOpen(link));
    } else {
      to_ = { kind: 'sink', local: to };
      transport.attach(handle, new Link(this, from, to_), from);
    }
    transport.sched.schedule(transport.sched.nowMicros(), () => transport.connected(handle));
    return true;
  }

  /** `from` sends `msg` on `link`: it arrives after what `from` sent before. False if `from` closed. */
  send(link: Link, from: End, msg: P2PMessage): boolean {
    if (link.isClosed(from)) return false;
    if (from.kind === 'peer' && this.peerThreadBusy()) {
      this.deferred.push(() => this.send(link, from, msg));
      return true;
    }
    const to = link.other(from);
    if (to.kind === 'node') {
      to.transport.sched.schedule(to.transport.sched.nowMicros(), () => {
        if (!link.isClosed(to)) to.transport.handlers!.onMessage(to.handle, msg);
      });
    } else if (to.kind === 'peer') {
      this.peerQueue.push(() => {
        if (!link.isClosed(to)) to.peer.onMessage(msg);
      });
    }
    return true;
  }

  /** `from` closes its side; the other end learns of it after what was sent before. */
  close(link: Link, from: End): void {
    if (link.isClosed(from)) return;
    if (from.kind === 'peer' && this.peerThreadBusy()) {
      this.deferred.push(() => this.close(link, from));
      return;
    }
    link.markClosed(from);
    const to = link.other(from);
    if (to.kind === 'node') {
      to.transport.sched.schedule(to.transport.sched.nowMicros(), () => {
        if (link.isClosed(to)) return;
        link.markClosed(to);
        to.transport.remoteClosed(to.handle);
      });
    } else if (to.kind === 'peer') {
      this.peerQueue.push(() => {
        if (link.isClosed(to)) return;
        link.markClosed(to);
        to.peer.onClose();
      });
    } else {
      link.markClosed(to);
    }
  }
}

function svc(text: string): Service {
  const r = parseService(text, 0);
  if (!r.ok) throw new Error(`bad service ${text}`);
  return r.value;
}

/**
 * A node's sockets on the test network (the Transport port). With a proxy configured (-proxy,
 * -onion) every outbound connection goes to the proxy's address instead, as Core's SOCKS5 path does.
 */
export class TestTransport implements Transport {
  handlers: TransportHandlers | null = null;
  private nextHandle = 1;
  private readonly links = new Map<ConnHandle, { link: Link; end: End }>();
  /** Where outbound connections go instead of their target (null: direct). */
  proxy: Service | null = null;
  onionProxy: Service | null = null;

  constructor(
    readonly net: TestNetwork,
    readonly sched: NodeScheduler,
  ) {}

  newHandle(): ConnHandle {
    return this.nextHandle++;
  }

  attach(handle: ConnHandle, link: Link, end: End): void {
    this.links.set(handle, { link, end });
  }

  setHandlers(h: TransportHandlers): void {
    this.handlers = h;
  }

  listen(local: Service): boolean {
    return this.net.listenNode(local, this);
  }

  unlisten(local: Service): void {
    this.net.unlisten(local);
  }

  connect(to: Service, _timeoutMicros: Micros): ConnHandle {
    const handle = this.newHandle();
    // Core's GetProxy(target.GetNetwork()): 127.0.0.1 is NET_UNROUTABLE, which has no proxy, so
    // the framework's connections stay direct even under -proxy.
    const net = to.getNetwork();
    const proxy = net === Network.NET_ONION ? this.onionProxy : net === Network.NET_IPV4 || net === Network.NET_IPV6 || net === Network.NET_CJDNS ? this.proxy : null;
    const via = proxy ?? to;
    if (!this.net.connectFromNode(this, handle, via)) {
      const reason: ConnectFailure = 'refused';
      this.sched.schedule(this.sched.nowMicros(), () => this.handlers!.onConnectFailed(handle, reason));
    }
    return handle;
  }

  /** The connect completed (called through the scheduler). */
  connected(handle: ConnHandle): void {
    const c = this.links.get(handle);
    if (c === undefined || c.link.isClosed(c.end)) return;
    this.handlers!.onConnected(handle, c.end.local);
  }

  send(conn: ConnHandle, msg: P2PMessage): boolean {
    const c = this.links.get(conn);
    return c !== undefined && this.net.send(c.link, c.end, msg);
  }

  close(conn: ConnHandle): void {
    const c = this.links.get(conn);
    if (c === undefined) return;
    this.links.delete(conn);
    this.net.close(c.link, c.end);
  }

  /** The far end closed (through the scheduler). */
  remoteClosed(handle: ConnHandle): void {
    if (!this.links.has(handle)) return;
    this.links.delete(handle);
    this.handlers!.onRemoteClose(handle, 'closed');
  }

  /** Every open connection closes (the node stops or crashes). */
  closeAll(): void {
    for (const h of [...this.links.keys()]) this.close(h);
  }
}
