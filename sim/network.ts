// The simulated socket layer: hosts with addresses, listening ports, connect / accept / refuse /
// timeout, ordered message delivery with latency and upload bandwidth, close and reset, byte
// counters, and fault rules (partition, drop, delay, black-hole) installed and removed at run
// time. It holds no clock: everything happens as events on the kernel. Addresses and payloads are
// opaque to it (no Bitcoin here); message contents are never inspected, only their declared size.
//
// Semantics, in one place:
// - connect(): the SYN takes one latency draw to the target. If the target is unknown, down,
//   black-holed, partitioned away or the SYN is dropped, the connector learns "timeout" after the
//   connect timeout; so does an attempt to a host behind a NAT (HostOptions.behindNat). If the
//   target is up but not listening on that port, the connector learns
//   "refused" one return-latency later. Otherwise the listener's onAccept runs on SYN arrival and
//   the connector's onConnect one return-latency later (one round trip after connect()). A
//   handshake whose round trip would exceed the connect timeout times out instead.
// - send(): the payload leaves the sender's uplink (shared FIFO by all its connections, at the
//   host's upload bandwidth; infinite by default), then travels one latency draw plus any delay
//   rules. Per connection and direction nothing overtakes an earlier message: arrival is at least
//   the previous message's arrival (equal times keep send order, the kernel being FIFO on ties).
// - close(): the closer's socket is gone at once (no callback to it); the peer's onClose('closed')
//   arrives after everything already sent, like a FIN. reset(): the peer's onClose('reset') arrives
//   one latency later and does not wait for queued data; data arriving after it is discarded.
// - Data arriving at a socket that is closed is discarded (counted as dropped).
// - Host down (`setHostDown`): its sockets and listeners vanish; by default silently (a crash: its
//   peers notice only through their own timeouts), or with a FIN or a reset to each peer.
// - Faults. Partition and black-hole are checked when a packet is sent and again when it
//   arrives: packets in flight across a newly installed partition are dropped at delivery (a
//   handshake cut this way times out; an accepted side stays half-open, as with real TCP). Drop
//   probability and extra delay are decided at send time; drop applies to data messages and
//   connection attempts, delay to every packet. Host sets are captured when a rule is installed.

import type { Kernel, HandlerKind } from './kernel.ts';
import type { LatencyModel } from './latency.ts';
import type { Rng } from './rng.ts';
import type { Micros } from './time.ts';
import { seconds } from './time.ts';
import type { Trace } from './trace.ts';

export type AddressKind = 'ipv4' | 'ipv6' | 'tor' | 'i2p' | 'cjdns';
/** An address as the network sees it: a kind and an opaque text, unique across all hosts. */
export interface SimAddress {
  readonly kind: AddressKind;
  readonly text: string;
}
export type HostId = number;
/** One end of a connection; each side of a connection has its own socket id. Ids are never reused. */
export type SocketId = number;
export type ConnectFailure = 'refused' | 'timeout';
export type CloseReason = 'closed' | 'reset';

/** What a host's application is told. All optional; callbacks run inside kernel events. */
export interface HostHandlers<P> {
  /** A new inbound connection on a listening port, from `remote` (the connector's source address). */
  onAccept?(socket: SocketId, localPort: number, remote: SimAddress): void;
  /** An outbound connect() completed; the socket is open. */
  onConnect?(socket: SocketId): void;
  /** An outbound connect() failed; the socket is closed. */
  onConnectFailed?(socket: SocketId, reason: ConnectFailure): void;
  /** A message arrived on an open socket. */
  onMessage?(socket: SocketId, payload: P, bytes: number): void;
  /** The peer closed or reset the connection; the socket is closed. */
  onClose?(socket: SocketId, reason: CloseReason): void;
}

export interface HostOptions<P> {
  addresses: readonly SimAddress[];
  /** Region index for region-matrix latency models (default 0). */
  region?: number;
  /** Upload bandwidth in bytes per second shared by all of the host's connections (default: unlimited). */
  uploadBytesPerSec?: number;
  /**
   * Behind a NAT that forwards no port: a connection attempt to it is dropped silently (the
   * connector times out), whether or not it listens; its own outbound connections work.
   */
  behindNat?: boolean;
  handlers?: HostHandlers<P>;
}

export interface NetworkOptions {
  latency: LatencyModel;
  /** Draws for probabilistic faults (drop rules). */
  rng: Rng;
  /** How long a connect to an unreachable host takes to fail (default 5 s). */
  connectTimeoutMicros?: Micros;
  /** Records connection events and deliveries into its digest (and log, if it has a sink). */
  trace?: Trace;
}

/** A fault rule. Host lists are captured at install time. */
export type FaultRule =
  /** No packet passes between a host in `a` and a host in `b` (either direction); `b` omitted = every host not in `a`. */
  | { type: 'partition'; a: readonly HostId[]; b?: readonly HostId[] }
  /** Every packet to or from these hosts vanishes. */
  | { type: 'blackhole'; hosts: readonly HostId[] }
  /** Each data message from `from` to `to` (omitted = any host) is lost with this probability. */
  | { type: 'drop'; probability: number; from?: readonly HostId[]; to?: readonly HostId[] }
  /** Every packet from `from` to `to` (omitted = any host) takes `extraMicros` longer. */
  | { type: 'delay'; extraMicros: Micros; from?: readonly HostId[]; to?: readonly HostId[] };

/** Handle of an installed fault rule, for `removeFault`. */
export type FaultHandle = number;

export interface SocketInfo {
  socket: SocketId;
  host: HostId;
  /** The other side's socket, or -1 before the handshake reached the peer. */
  peer: SocketId;
  inbound: boolean;
  state: 'connecting' | 'open' | 'closed';
  localAddress: SimAddress;
  remoteAddress: SimAddress;
  /** The listening port (inbound) or the port connected to (outbound). */
  port: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface NetworkStats {
  connectsAttempted: number;
  connectsSucceeded: number;
  connectsRefused: number;
  connectsTimedOut: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  bytesSent: number;
  bytesDelivered: number;
}

/** Thrown for misuse of the network API (unknown host, duplicate address, sending on a closed socket...). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

// Socket states.
const CONNECTING = 1;
const OPEN = 2;
const CLOSED = 3;
const STATE_NAMES = ['', 'connecting', 'open', 'closed'] as const;

// Packet types (one kernel handler dispatches on them).
const P_DATA = 0;
const P_FIN = 1;
const P_RST = 2;
const P_SYN = 3; // arrives at the target host; `socket` is the connector's socket
const P_SYNACK = 4; // arrives at the connector
const P_REFUSED = 5;
const P_TIMEOUT = 6; // not a packet: the connector's own timer

const MICROS_PER_SECOND = 1_000_000;

interface InstalledRule {
  handle: FaultHandle;
  type: FaultRule['type'];
  a: Uint8Array | undefined; // partition side a / blackhole hosts / from set
  b: Uint8Array | undefined; // partition side b (undefined = complement) / to set
  probability: number;
  extraMicros: Micros;
}

function addressKey(a: SimAddress): string {
  return `${a.kind}|${a.text}`;
}

function inSet(set: Uint8Array | undefined, host: HostId): boolean {
  return set === undefined || (host < set.length && set[host] === 1);
}

export class Network<P = unknown> {
  private readonly kernel: Kernel;
  private readonly latency: LatencyModel;
  private readonly rng: Rng;
  private readonly connectTimeout: Micros;
  private readonly trace: Trace | undefined;
  private readonly packetKind: HandlerKind;

  // Hosts.
  private readonly hostAddresses: (readonly SimAddress[])[] = [];
  private readonly hostRegion: number[] = [];
  private readonly hostUp: boolean[] = [];
  private readonly hostBehindNat: boolean[] = [];
  private readonly hostUploadRate: number[] = [];
  private readonly hostUplinkFree: number[] = [];
  private readonly hostSent: number[] = [];
  private readonly hostReceived: number[] = [];
  private readonly hostHandlers: HostHandlers<P>[] = [];
  private readonly hostListening: Set<number>[] = [];
  private readonly hostSockets: Set<SocketId>[] = [];
  private readonly addressOwner = new Map<string, HostId>();

  // Sockets (ids index these arrays and are never reused).
  private readonly sockHost: number[] = [];
  private readonly sockPeer: number[] = [];
  private readonly sockState: number[] = [];
  private readonly sockInbound: boolean[] = [];
  private readonly sockPort: number[] = [];
  private readonly sockTargetHost: number[] = []; // outbound: the host that owns the remote address, or -1
  private readonly sockStart: number[] = []; // outbound: when connect() was called
  private readonly sockLocal: SimAddress[] = [];
  private readonly sockRemote: SimAddress[] = [];
  private readonly sockSent: number[] = [];
  private readonly sockReceived: number[] = [];
  private readonly sockLastArrival: number[] = []; // latest arrival scheduled from this socket toward its peer

  // In-flight packets: slots reused through a free list.
  private readonly pktType: number[] = [];
  private readonly pktSocket: number[] = []; // destination socket (for SYN and TIMEOUT: the connector's socket)
  private readonly pktBytes: number[] = [];
  private readonly pktPayload: (P | undefined)[] = [];
  private readonly pktFree: number[] = [];

  private rules: InstalledRule[] = [];
  private nextRuleHandle = 1;

  private readonly counters: NetworkStats = {
    connectsAttempted: 0,
    connectsSucceeded: 0,
    connectsRefused: 0,
    connectsTimedOut: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    bytesSent: 0,
    bytesDelivered: 0,
  };

  private readonly evDeliver: number = -1;
  private readonly evAccept: number = -1;
  private readonly evConnect: number = -1;
  private readonly evConnectFailed: number = -1;
  private readonly evClose: number = -1;
  private readonly evDrop: number = -1;

  constructor(kernel: Kernel, options: NetworkOptions) {
    this.kernel = kernel;
    this.latency = options.latency;
    this.rng = options.rng;
    this.connectTimeout = options.connectTimeoutMicros ?? seconds(5);
    if (!(this.connectTimeout > 0)) throw new NetworkError(`connectTimeoutMicros must be > 0, got ${this.connectTimeout}`);
    this.trace = options.trace;
    this.packetKind = kernel.register((slot) => this.onPacket(slot), 'net.packet');
    if (this.trace !== undefined) {
      this.evDeliver = this.trace.define('net.deliver', 'socket', 'bytes');
      this.evAccept = this.trace.define('net.accept', 'socket', 'port');
      this.evConnect = this.trace.define('net.connect', 'socket', 'peer');
      this.evConnectFailed = this.trace.define('net.connect-failed', 'socket', 'refused');
      this.evClose = this.trace.define('net.close', 'socket', 'reset');
      this.evDrop = this.trace.define('net.drop', 'socket', 'bytes');
    }
  }

  // --- hosts -------------------------------------------------------------------------------------

  /** Adds a host (up, listening nowhere). Addresses must be unique across hosts. */
  addHost(options: HostOptions<P>): HostId {
    const id = this.hostAddresses.length;
    if (options.addresses.length === 0) throw new NetworkError('a host needs at least one address');
    for (const a of options.addresses) {
      const key = addressKey(a);
      if (this.addressOwner.has(key)) throw new NetworkError(`address ${a.kind} ${a.text} already belongs to host ${this.addressOwner.get(key)}`);
    }
    const rate = options.uploadBytesPerSec ?? Infinity;
    if (!(rate > 0)) throw new NetworkError(`uploadBytesPerSec must be > 0, got ${rate}`);
    for (const a of options.addresses) this.addressOwner.set(addressKey(a), id);
    this.hostAddresses.push([...options.addresses]);
    this.hostRegion.push(options.region ?? 0);
    this.hostUp.push(true);
    this.hostBehindNat.push(options.behindNat === true);
    this.hostUploadRate.push(rate);
    this.hostUplinkFree.push(0);
    this.hostSent.push(0);
    this.hostReceived.push(0);
    this.hostHandlers.push(options.handlers ?? {});
    this.hostListening.push(new Set());
    this.hostSockets.push(new Set());
    return id;
  }

  /** Replaces a host's handlers (e.g. when the application object is created after the host). */
  setHandlers(host: HostId, handlers: HostHandlers<P>): void {
    this.checkHost(host);
    this.hostHandlers[host] = handlers;
  }

  get hostCount(): number {
    return this.hostAddresses.length;
  }

  /** The host that owns an address, or undefined. */
  hostOf(address: SimAddress): HostId | undefined {
    return this.addressOwner.get(addressKey(address));
  }

  addressesOf(host: HostId): readonly SimAddress[] {
    this.checkHost(host);
    return this.hostAddresses[host]!;
  }

  isUp(host: HostId): boolean {
    this.checkHost(host);
    return this.hostUp[host]!;
  }

  hostBytesSent(host: HostId): number {
    this.checkHost(host);
    return this.hostSent[host]!;
  }

  hostBytesReceived(host: HostId): number {
    this.checkHost(host);
    return this.hostReceived[host]!;
  }

  /** The host's sockets that are connecting or open, in creation order. */
  socketsOf(host: HostId): SocketId[] {
    this.checkHost(host);
    return [...this.hostSockets[host]!];
  }

  /**
   * Takes a host down: its listeners and sockets vanish. `notify` says what its peers see:
   * 'none' (a crash or power loss: nothing), 'close' (a FIN on each connection) or 'reset'.
   */
  setHostDown(host: HostId, notify: 'none' | 'close' | 'reset' = 'none'): void {
    this.checkHost(host);
    if (!this.hostUp[host]) return;
    for (const s of [...this.hostSockets[host]!]) {
      if (notify === 'close') this.close(s);
      else if (notify === 'reset') this.reset(s);
      else this.closeLocal(s);
    }
    this.hostListening[host]!.clear();
    this.hostUp[host] = false;
    this.hostUplinkFree[host] = 0;
  }

  /** Brings a host back up, with no listeners and no connections (the application listens again). */
  setHostUp(host: HostId): void {
    this.checkHost(host);
    this.hostUp[host] = true;
  }

  // --- listening and connecting -----------------------------------------------------------------

  /** Accepts connections to `port` on all of the host's addresses. */
  listen(host: HostId, port: number): void {
    this.checkHost(host);
    if (!this.hostUp[host]) throw new NetworkError(`host ${host} is down`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new NetworkError(`bad port ${port}`);
    if (this.hostListening[host]!.has(port)) throw new NetworkError(`host ${host} already listens on port ${port}`);
    this.hostListening[host]!.add(port);
  }

  /** Stops accepting on `port`; established connections are unaffected. */
  unlisten(host: HostId, port: number): void {
    this.checkHost(host);
    this.hostListening[host]!.delete(port);
  }

  isListening(host: HostId, port: number): boolean {
    this.checkHost(host);
    return this.hostListening[host]!.has(port);
  }

  /**
   * Starts a connection from `host` to `to`:`port`; returns the new socket (state 'connecting').
   * The outcome arrives as onConnect or onConnectFailed. The source address is `from` if given,
   * else the host's first address of the same kind as `to`, else its first address.
   */
  connect(host: HostId, to: SimAddress, port: number, from?: SimAddress): SocketId {
    this.checkHost(host);
    if (!this.hostUp[host]) throw new NetworkError(`host ${host} is down and cannot connect`);
    const addrs = this.hostAddresses[host]!;
    const local = from ?? addrs.find((a) => a.kind === to.kind) ?? addrs[0]!;
    const target = this.addressOwner.get(addressKey(to)) ?? -1;
    const s = this.newSocket(host, CONNECTING, false, port, local, to);
    this.sockTargetHost[s] = target;
    this.sockStart[s] = this.kernel.now();
    this.counters.connectsAttempted++;
    if (target < 0 || !this.hostUp[target] || this.blocked(host, target) || this.dropDrawn(host, target)) {
      this.schedulePacket(this.kernel.now() + this.connectTimeout, P_TIMEOUT, s, 0, undefined);
    } else {
      this.schedulePacket(this.kernel.now() + this.oneWay(host, target), P_SYN, s, 0, undefined);
    }
    return s;
  }

  // --- data ---------------------------------------------------------------------------------------

  /**
   * Sends an opaque payload of `bytes` bytes on an open socket. Returns false (and sends nothing)
   * when the socket is closed, e.g. because the peer's close arrived earlier in this same instant.
   * Throws if the socket is still connecting.
   *
   * `departedAtMicros` (<= now) is for a caller that computes traffic ahead and submits a packet
   * late: it left at that time, so it arrives one latency after it (ordered by departure on its
   * connection, ahead of packets that left later), and the fault rules in force now apply. Only on
   * an unlimited uplink, whose timing does not depend on the order of sends.
   */
  send(socket: SocketId, payload: P, bytes: number, departedAtMicros?: Micros): boolean {
    const state = this.sockState[socket];
    if (state !== OPEN) {
      if (state === CLOSED) return false;
      if (state === CONNECTING) throw new NetworkError(`socket ${socket} is still connecting`);
      throw new NetworkError(`unknown socket ${socket}`);
    }
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new NetworkError(`message size must be finite and >= 0, got ${bytes}`);
    const host = this.sockHost[socket]!;
    const peer = this.sockPeer[socket]!;
    const peerHost = this.sockHost[peer]!;
    const now = this.kernel.now();
    if (departedAtMicros !== undefined) {
      if (!(departedAtMicros <= now)) throw new NetworkError(`send: departure ${departedAtMicros} is after now (${now})`);
      if (this.hostUploadRate[host] !== Infinity) throw new NetworkError('send: a late departure needs an unlimited uplink');
    }
    this.sockSent[socket] = this.sockSent[socket]! + bytes;
    this.hostSent[host] = this.hostSent[host]! + bytes;
    this.counters.messagesSent++;
    this.counters.bytesSent += bytes;
    // The uplink is busy even for a message that the network then loses.
    let leaves = now;
    const rate = this.hostUploadRate[host]!;
    if (rate !== Infinity) {
      const start = Math.max(now, this.hostUplinkFree[host]!);
      leaves = start + Math.ceil((bytes * MICROS_PER_SECOND) / rate);
      this.hostUplinkFree[host] = leaves;
    }
    if (this.rules.length > 0 && (this.blocked(host, peerHost) || this.dropDrawn(host, peerHost))) {
      this.dropped(peer, bytes);
      return true;
    }
    if (departedAtMicros !== undefined) {
      const arrival = departedAtMicros + this.oneWay(host, peerHost);
      if (arrival < now) throw new NetworkError(`send: a packet that left at ${departedAtMicros} arrived at ${arrival}, before now (${now})`);
      this.sockLastArrival[socket] = Math.max(arrival, this.sockLastArrival[socket]!);
      this.schedulePacket(arrival, P_DATA, peer, bytes, payload);
      return true;
    }
    const arrival = Math.max(this.sockLastArrival[socket]!, leaves + this.oneWay(host, peerHost));
    this.sockLastArrival[socket] = arrival;
    this.schedulePacket(arrival, P_DATA, peer, bytes, payload);
    return true;
  }

  /** Closes a socket: no more callbacks for it; the peer sees onClose('closed') after the data already sent. */
  close(socket: SocketId): void {
    this.endConnection(socket, P_FIN);
  }

  /** Resets a connection: the peer sees onClose('reset') one latency later, ahead of any queued data. */
  reset(socket: SocketId): void {
    this.endConnection(socket, P_RST);
  }

  /**
   * The one-way latency of every packet from `from` to `to` when the latency model is fixed (no
   * per-packet draw), for callers that compute timing ahead; undefined under a jittered model.
   * Fault rules (delay) are not included: see faultCount.
   */
  fixedLatency(from: HostId, to: HostId): Micros | undefined {
    this.checkHost(from);
    this.checkHost(to);
    return this.latency.fixed === true ? this.oneWay(from, to) : undefined;
  }

  /** The host's upload rate, bytes per second (Infinity: unlimited). */
  uploadRate(host: HostId): number {
    this.checkHost(host);
    return this.hostUploadRate[host]!;
  }

  /** The number of fault rules installed now. */
  faultCount(): number {
    return this.rules.length;
  }

  // --- faults --------------------------------------------------------------------------------------

  /** Installs a fault rule now; returns its handle. */
  addFault(rule: FaultRule): FaultHandle {
    const mask = (hosts: readonly HostId[] | undefined): Uint8Array | undefined => {
      if (hosts === undefined) return undefined;
      const m = new Uint8Array(this.hostCount);
      for (const h of hosts) {
        this.checkHost(h);
        m[h] = 1;
      }
      return m;
    };
    const installed: InstalledRule = { handle: this.nextRuleHandle++, type: rule.type, a: undefined, b: undefined, probability: 0, extraMicros: 0 };
    switch (rule.type) {
      case 'partition':
        installed.a = mask(rule.a);
        installed.b = mask(rule.b);
        break;
      case 'blackhole':
        installed.a = mask(rule.hosts);
        break;
      case 'drop':
        if (!(rule.probability >= 0 && rule.probability <= 1)) throw new NetworkError(`drop probability must be in [0, 1], got ${rule.probability}`);
        installed.a = mask(rule.from);
        installed.b = mask(rule.to);
        installed.probability = rule.probability;
        break;
      case 'delay':
        if (!(rule.extraMicros >= 0) || !Number.isInteger(rule.extraMicros)) throw new NetworkError(`delay extraMicros must be an integer >= 0, got ${rule.extraMicros}`);
        installed.a = mask(rule.from);
        installed.b = mask(rule.to);
        installed.extraMicros = rule.extraMicros;
        break;
      default: {
        const never: never = rule;
        throw new NetworkError(`unknown fault rule ${JSON.stringify(never)}`);
      }
    }
    this.rules = [...this.rules, installed];
    return installed.handle;
  }

  /** Removes a fault rule; returns false if it was not installed. */
  removeFault(handle: FaultHandle): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.handle !== handle);
    return this.rules.length !== before;
  }

  // --- queries -------------------------------------------------------------------------------------

  isOpen(socket: SocketId): boolean {
    return this.sockState[socket] === OPEN;
  }

  hostOfSocket(socket: SocketId): HostId {
    this.checkSocket(socket);
    return this.sockHost[socket]!;
  }

  /** The other side's socket of a connection, or -1 before the handshake reached the peer. */
  peerOf(socket: SocketId): SocketId {
    this.checkSocket(socket);
    return this.sockPeer[socket]!;
  }

  bytesSent(socket: SocketId): number {
    this.checkSocket(socket);
    return this.sockSent[socket]!;
  }

  bytesReceived(socket: SocketId): number {
    this.checkSocket(socket);
    return this.sockReceived[socket]!;
  }

  remoteAddress(socket: SocketId): SimAddress {
    this.checkSocket(socket);
    return this.sockRemote[socket]!;
  }

  socketInfo(socket: SocketId): SocketInfo {
    this.checkSocket(socket);
    return {
      socket,
      host: this.sockHost[socket]!,
      peer: this.sockPeer[socket]!,
      inbound: this.sockInbound[socket]!,
      state: STATE_NAMES[this.sockState[socket]!] as SocketInfo['state'],
      localAddress: this.sockLocal[socket]!,
      remoteAddress: this.sockRemote[socket]!,
      port: this.sockPort[socket]!,
      bytesSent: this.sockSent[socket]!,
      bytesReceived: this.sockReceived[socket]!,
    };
  }

  /** A copy of the network-wide counters. */
  stats(): NetworkStats {
    return { ...this.counters };
  }

  // --- internals -----------------------------------------------------------------------------------

  private newSocket(host: HostId, state: number, inbound: boolean, port: number, local: SimAddress, remote: SimAddress): SocketId {
    const s = this.sockHost.length;
    this.sockHost.push(host);
    this.sockPeer.push(-1);
    this.sockState.push(state);
    this.sockInbound.push(inbound);
    this.sockPort.push(port);
    this.sockTargetHost.push(-1);
    this.sockStart.push(0);
    this.sockLocal.push(local);
    this.sockRemote.push(remote);
    this.sockSent.push(0);
    this.sockReceived.push(0);
    this.sockLastArrival.push(0);
    this.hostSockets[host]!.add(s);
    return s;
  }

  /** Marks a socket closed without telling anyone. */
  private closeLocal(socket: SocketId): void {
    this.sockState[socket] = CLOSED;
    this.hostSockets[this.sockHost[socket]!]!.delete(socket);
  }

  private endConnection(socket: SocketId, type: number): void {
    this.checkSocket(socket);
    const state = this.sockState[socket];
    if (state === CLOSED) return;
    this.closeLocal(socket);
    const peer = this.sockPeer[socket]!;
    // A connecting socket whose SYN has not been accepted yet has no peer: the SYN is ignored on arrival.
    if (peer < 0 || this.sockState[peer] === CLOSED) return;
    const host = this.sockHost[socket]!;
    const peerHost = this.sockHost[peer]!;
    if (this.blocked(host, peerHost)) return;
    const now = this.kernel.now();
    let arrival = now + this.oneWay(host, peerHost);
    if (type === P_FIN) arrival = Math.max(arrival, this.sockLastArrival[socket]!);
    this.sockLastArrival[socket] = Math.max(arrival, this.sockLastArrival[socket]!);
    this.schedulePacket(arrival, type, peer, 0, undefined);
  }

  private schedulePacket(time: Micros, type: number, socket: SocketId, bytes: number, payload: P | undefined): void {
    let slot: number;
    if (this.pktFree.length > 0) {
      slot = this.pktFree.pop()!;
      this.pktType[slot] = type;
      this.pktSocket[slot] = socket;
      this.pktBytes[slot] = bytes;
      this.pktPayload[slot] = payload;
    } else {
      slot = this.pktType.length;
      this.pktType.push(type);
      this.pktSocket.push(socket);
      this.pktBytes.push(bytes);
      this.pktPayload.push(payload);
    }
    this.kernel.at(time, this.packetKind, slot);
  }

  private onPacket(slot: number): void {
    const type = this.pktType[slot]!;
    const socket = this.pktSocket[slot]!;
    const bytes = this.pktBytes[slot]!;
    const payload = this.pktPayload[slot];
    this.pktPayload[slot] = undefined;
    this.pktFree.push(slot);
    switch (type) {
      case P_DATA:
        this.deliverData(socket, payload as P, bytes);
        return;
      case P_FIN:
      case P_RST:
        this.deliverEnd(socket, type === P_RST);
        return;
      case P_SYN:
        this.arriveSyn(socket);
        return;
      case P_SYNACK:
        this.arriveSynAck(socket);
        return;
      case P_REFUSED:
      case P_TIMEOUT:
        this.failConnect(socket, type === P_REFUSED ? 'refused' : 'timeout');
        return;
    }
  }

  private deliverData(socket: SocketId, payload: P, bytes: number): void {
    const host = this.sockHost[socket]!;
    if (this.sockState[socket] !== OPEN || (this.rules.length > 0 && this.blocked(this.sockHost[this.sockPeer[socket]!]!, host))) {
      this.dropped(socket, bytes);
      return;
    }
    this.sockReceived[socket] = this.sockReceived[socket]! + bytes;
    this.hostReceived[host] = this.hostReceived[host]! + bytes;
    this.counters.messagesDelivered++;
    this.counters.bytesDelivered += bytes;
    if (this.trace !== undefined) this.trace.record(this.kernel.now(), this.evDeliver, socket, bytes);
    const h = this.hostHandlers[host]!;
    if (h.onMessage !== undefined) h.onMessage(socket, payload, bytes);
  }

  private deliverEnd(socket: SocketId, reset: boolean): void {
    if (this.sockState[socket] !== OPEN) return;
    const host = this.sockHost[socket]!;
    if (this.blocked(this.sockHost[this.sockPeer[socket]!]!, host)) return;
    this.closeLocal(socket);
    if (this.trace !== undefined) this.trace.record(this.kernel.now(), this.evClose, socket, reset ? 1 : 0);
    const h = this.hostHandlers[host]!;
    if (h.onClose !== undefined) h.onClose(socket, reset ? 'reset' : 'closed');
  }

  private arriveSyn(connector: SocketId): void {
    if (this.sockState[connector] !== CONNECTING) return; // the connector gave up (closed) meanwhile
    const src = this.sockHost[connector]!;
    const dst = this.sockTargetHost[connector]!;
    const start = this.sockStart[connector]!;
    const now = this.kernel.now();
    if (!this.hostUp[dst] || this.blocked(src, dst) || this.hostBehindNat[dst] === true) {
      this.schedulePacket(start + this.connectTimeout, P_TIMEOUT, connector, 0, undefined);
      return;
    }
    const back = now + this.oneWay(dst, src);
    if (back - start >= this.connectTimeout) {
      this.schedulePacket(start + this.connectTimeout, P_TIMEOUT, connector, 0, undefined);
      return;
    }
    const port = this.sockPort[connector]!;
    if (!this.hostListening[dst]!.has(port)) {
      this.schedulePacket(back, P_REFUSED, connector, 0, undefined);
      return;
    }
    const acceptor = this.newSocket(dst, OPEN, true, port, this.sockRemote[connector]!, this.sockLocal[connector]!);
    this.sockPeer[acceptor] = connector;
    this.sockPeer[connector] = acceptor;
    // The SYN-ACK is the first packet from the acceptor: its data cannot overtake it.
    this.sockLastArrival[acceptor] = back;
    this.schedulePacket(back, P_SYNACK, connector, 0, undefined);
    if (this.trace !== undefined) this.trace.record(now, this.evAccept, acceptor, port);
    const h = this.hostHandlers[dst]!;
    if (h.onAccept !== undefined) h.onAccept(acceptor, port, this.sockLocal[connector]!);
  }

  private arriveSynAck(connector: SocketId): void {
    if (this.sockState[connector] !== CONNECTING) return;
    const peer = this.sockPeer[connector]!;
    if (this.rules.length > 0 && this.blocked(this.sockHost[peer]!, this.sockHost[connector]!)) {
      this.schedulePacket(Math.max(this.kernel.now(), this.sockStart[connector]! + this.connectTimeout), P_TIMEOUT, connector, 0, undefined);
      return;
    }
    this.sockState[connector] = OPEN;
    this.counters.connectsSucceeded++;
    if (this.trace !== undefined) this.trace.record(this.kernel.now(), this.evConnect, connector, this.sockPeer[connector]!);
    const h = this.hostHandlers[this.sockHost[connector]!]!;
    if (h.onConnect !== undefined) h.onConnect(connector);
  }

  private failConnect(connector: SocketId, reason: ConnectFailure): void {
    if (this.sockState[connector] !== CONNECTING) return;
    this.closeLocal(connector);
    if (reason === 'refused') this.counters.connectsRefused++;
    else this.counters.connectsTimedOut++;
    if (this.trace !== undefined) this.trace.record(this.kernel.now(), this.evConnectFailed, connector, reason === 'refused' ? 1 : 0);
    const h = this.hostHandlers[this.sockHost[connector]!]!;
    if (h.onConnectFailed !== undefined) h.onConnectFailed(connector, reason);
  }

  private dropped(socket: SocketId, bytes: number): void {
    this.counters.messagesDropped++;
    if (this.trace !== undefined) this.trace.record(this.kernel.now(), this.evDrop, socket, bytes);
  }

  /** One latency draw from `from` to `to`, plus any delay rules. */
  private oneWay(from: HostId, to: HostId): Micros {
    let t = this.latency.oneWayMicros(from, to, this.hostRegion[from]!, this.hostRegion[to]!);
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.type === 'delay' && inSet(r.a, from) && inSet(r.b, to)) t += r.extraMicros;
    }
    return t;
  }

  /** True when a partition or black-hole rule stops packets between the two hosts. */
  private blocked(from: HostId, to: HostId): boolean {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.type === 'blackhole') {
        if (inSet(r.a, from) || inSet(r.a, to)) return true;
      } else if (r.type === 'partition') {
        const fromA = inSet(r.a, from);
        const toA = inSet(r.a, to);
        if (fromA !== toA) {
          // Exactly one end is in a; the other must be in b (undefined b = everyone not in a).
          if (r.b === undefined || inSet(r.b, fromA ? to : from)) return true;
        }
      }
    }
    return false;
  }

  /** Draws the drop rules that match, in install order; true when one of them drops the message. */
  private dropDrawn(from: HostId, to: HostId): boolean {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.type === 'drop' && inSet(r.a, from) && inSet(r.b, to) && r.probability > 0) {
        if (r.probability >= 1 || this.rng.random() < r.probability) return true;
      }
    }
    return false;
  }

  private checkHost(host: HostId): void {
    if (!(host >= 0 && host < this.hostAddresses.length) || !Number.isInteger(host)) throw new NetworkError(`unknown host ${host}`);
  }

  private checkSocket(socket: SocketId): void {
    if (!(socket >= 0 && socket < this.sockHost.length) || !Number.isInteger(socket)) throw new NetworkError(`unknown socket ${socket}`);
  }
}
