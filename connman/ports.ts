// The ports connman/ needs from the world: everything it does not own is handed in through these
// interfaces, so the port never imports sim/ and could run over a real clock and real sockets.
// This file holds only contracts (Clock, Rng, Scheduler, Transport, EventSink, FileStore,
// DnsSeedResolver, KeepAlive, DebugLog) and the event records they carry; implementations live in
// scenarios/host/ (simulation) and connman/testing/ (unit tests). Every member is required, so a
// port's implementation says what it does for each call. It holds no behaviour.

import type { Node } from './net/node.ts';
import type { ConnectionType } from './protocol/connection-types.ts';
import type { P2PMessage } from './protocol/messages.ts';
import type { NetAddr, Service } from './protocol/netaddress.ts';

/** Time in integer microseconds since the simulation epoch (or the Unix epoch on a real clock). */
export type Micros = number;

/** Core's mockable node clock (`NodeClock::now()`), in integer microseconds. */
export interface Clock {
  nowMicros(): Micros;
}

/**
 * A node's clock (Core's NodeClock), which Core's tests can jump (setmocktime): the time, and
 * whether the node reached it by a jump. Core's loops run at every instant the clock passes
 * through; after a jump the only instants they saw are the one jumped from and the one jumped to.
 * The port's lazy timers (which skip the passes where nothing would happen) need the difference to
 * stay Core's: a timer that lapsed inside a jump was never redrawn.
 */
export interface NodeClock extends Clock {
  /** Null while the clock runs continuously; after a jump, the time it jumped from. */
  jumpedFromMicros(): Micros | null;
}

/**
 * The random source a Core object draws from: the subset of Core's `FastRandomContext` /
 * `RandomMixin` (random.h) that the ported code calls. Each method consumes randomness exactly as
 * Core's method of the same name does, so that an implementation backed by Core's ChaCha20 stream
 * (connman/util/random.ts) reproduces Core's draws bit for bit.
 */
export interface Rng {
  /** `RandomMixin::randbits(bits)`: a uniform integer of `bits` bits, 0 <= bits <= 32 here. */
  randbits(bits: number): number;
  /** `RandomMixin::randrange(range)`: a uniform integer in [0, range), 1 <= range <= 2^53 (µs durations exceed 2^32). */
  randrange(range: number): number;
  /** `RandomMixin::randbool()`: one random bit. */
  randbool(): boolean;
  /** `FastRandomContext::rand64()`: 64 uniform bits. */
  rand64(): bigint;
  /** `RandomMixin::rand_exp_duration(mean)`: exponential with that mean, rounded to the microsecond. */
  randExpDurationMicros(meanMicros: Micros): Micros;
  /**
   * `std::shuffle(first, last, rng)` with this generator as the URBG, as Core calls it from net.cpp
   * and net_processing.cpp: in place, drawing exactly as libstdc++'s shuffle does.
   */
  shuffle<T>(items: T[]): void;
}

/** A pending timer; 0 is never a valid handle (use it for "none"). */
export type TimerHandle = number;

/**
 * Timers on the node clock (Core's thread sleeps and wake-ups). Times are absolute, in the Clock's
 * microseconds; a time already past runs at the current instant, after what is already queued for
 * it. Two forms: a closure form for rare timers, and an integer form (a handler registered once,
 * each event carries a number) that allocates nothing per event, for per-connection deadlines.
 */
export interface Scheduler {
  schedule(atMicros: Micros, fn: () => void): TimerHandle;
  /** Registers a handler once for `at`; returns its kind. `name` labels it in traces. */
  register(handler: (arg: number) => void, name: string): number;
  at(atMicros: Micros, kind: number, arg: number): TimerHandle;
  /** False if the timer already ran or was cancelled. */
  cancel(handle: TimerHandle): boolean;
}

/** A socket of this node's transport. Handles are unique per Transport for its lifetime. */
export type ConnHandle = number;

/** Why an outbound connect failed: RST (nothing listening), no answer within the timeout, or no route. */
export type ConnectFailure = 'refused' | 'timeout' | 'unreachable';

/** How the remote side ended a connection: orderly close (read returns 0) or reset / hard error. */
export type RemoteCloseReason = 'closed' | 'reset';

/** What the transport reports to its owner (one Connman). */
export interface TransportHandlers {
  /** A peer connected to one of our listening services. `local` is the listening (bind) service. */
  onAccept(conn: ConnHandle, local: Service, remote: Service): void;
  /** An outbound connect completed; `local` is our side's address (getsockname: Core's addrBind). */
  onConnected(conn: ConnHandle, local: Service): void;
  onConnectFailed(conn: ConnHandle, reason: ConnectFailure): void;
  /** A complete message arrived. Its byte size is `msg.sizeBytes`. */
  onMessage(conn: ConnHandle, msg: P2PMessage): void;
  /** The remote side closed or reset the connection (not called for our own `close`). */
  onRemoteClose(conn: ConnHandle, reason: RemoteCloseReason): void;
}

/**
 * Sockets of one node. Every callback is delivered later through the world's event queue, never
 * synchronously from inside a call below.
 */
export interface Transport {
  /** Installs the callbacks; the Connman calls it once in its constructor. */
  setHandlers(handlers: TransportHandlers): void;
  /** Starts listening on `local` (IP and port). False if that is impossible (address not ours, in use). */
  listen(local: Service): boolean;
  /** Stops listening on `local`. */
  unlisten(local: Service): void;
  /**
   * Starts a TCP connect to `to`, giving up after `timeoutMicros` (Core's -timeout). The result comes
   * later as onConnected or onConnectFailed with the returned handle.
   */
  connect(to: Service, timeoutMicros: Micros): ConnHandle;
  /** Queues a message; `msg.sizeBytes` bytes go on the wire. False if the socket is already closed. */
  send(conn: ConnHandle, msg: P2PMessage): boolean;
  /** Closes our side (also aborts a pending connect). No callback follows for this handle. */
  close(conn: ConnHandle): void;
}

/** Per-node named byte blobs that survive a restart of the node (Core's datadir files). */
export interface FileStore {
  read(name: string): Uint8Array | undefined;
  /**
   * Stores `bytes` under `name`. The store may keep the array itself: a caller hands over bytes it
   * will not alter afterwards (the Connman always writes a freshly serialized array).
   */
  write(name: string, bytes: Uint8Array): void;
  /**
   * Stores a file of `size` bytes whose content `materialize` produces when it is first read (it
   * must return exactly those bytes whenever it is called). A store that keeps no closures calls
   * `materialize` at once and stores the bytes. Once `name` is written again, the store never calls
   * the previous `materialize` (the writer may reuse what it reads: the Connman's next peers.dat
   * dump overwrites the previous dump's image).
   */
  writeDeferred(name: string, size: number, materialize: () => Uint8Array): void;
  /** True if something was deleted. */
  delete(name: string): boolean;
}

/**
 * The world's DNS seeders. Core resolves "x9.<seed>" (x9: NODE_NETWORK|NODE_WITNESS filter); the
 * port passes the seed name as configured and the resolver answers with up to `max` addresses
 * (Core's nMaxIPs = 32), or none (Core then falls back to an ADDR_FETCH connection to the seed).
 */
export interface DnsSeedResolver {
  resolve(seed: string, max: number): readonly NetAddr[];
}

/**
 * Core's debug log categories the port writes (BCLog::NET, BCLog::ADDRMAN). A line without a category
 * is Core's LogInfo / LogWarning: printed whenever the log is on.
 */
export type LogCategory = 'net' | 'addrman';

/**
 * The node's debug.log (Core's BCLog::Logger): lines in Core's wording, one per call, without the
 * trailing newline. The port asks `accepts` once, when a component is built, and builds no text
 * for a category that is off (Core's LogAcceptCategory), so a log that accepts nothing costs
 * nothing. `NO_DEBUG_LOG` (util/logging.ts) accepts nothing; the test harness (../testing/) keeps
 * every line.
 */
export interface DebugLog {
  /** Whether LogDebug lines of `category` are wanted (`null`: LogInfo lines). */
  accepts(category: LogCategory | null): boolean;
  /** One line: `category` is that of a LogDebug line, null for LogInfo / LogWarning. */
  print(category: LogCategory | null, message: string): void;
}

/** The ports one node runs over: its clock, timers, random stream, sockets, event sink, files, DNS seeds and debug log. */
export interface NodePorts {
  clock: NodeClock;
  scheduler: Scheduler;
  /** The node's own random stream: the seeds, the AddrMan key and Core's ad-hoc contexts draw from it. */
  rng: Rng;
  transport: Transport;
  events: EventSink;
  files: FileStore;
  dns: DnsSeedResolver;
  /** debug.log; NO_DEBUG_LOG (util/logging.ts) when nobody reads it. */
  log: DebugLog;
}

/**
 * A simulator shortcut for keep-alive pings that a world may plug in (scenarios/host/analytic-ping.ts):
 * between two simulated nodes on a path whose timing is fixed, the ping / pong traffic Core would
 * send is computed instead of sent. The Connman offers every connection whose handshake completed;
 * a link the shortcut returns then carries that connection's automatic pings until it is handed
 * back. Core's own path, where every ping and pong is a message, is `CORE_KEEP_ALIVE`
 * (net/keep-alive.ts), which adopts nothing; without a shortcut the code that runs is Core's.
 */
export interface KeepAlive {
  /** The connection `node` finished its handshake; returns the link that may carry its pings, or null. */
  adopt(node: Node, owner: KeepAliveOwner): KeepAliveLink | null;
}

/** What a Connman does for a keep-alive link: the accounting of computed messages, nonces, timers. */
export interface KeepAliveOwner {
  /** `count` computed messages of `type` sent on `node`, `periodMicros` apart, the last at `lastAt`. */
  computedSent(node: Node, type: 'ping' | 'pong', count: number, lastAt: Micros, periodMicros: Micros): void;
  /** `count` computed messages of `type` received on `node`, the last at `lastAt`. */
  computedReceived(node: Node, type: 'ping' | 'pong', count: number, lastAt: Micros): void;
  /** A real nonce, for a computed ping handed back to the message path while in flight. */
  drawPingNonce(): bigint;
  /** The node's deadlines may have changed (its link went back to the message path). */
  refreshTimer(node: Node): void;
}

/** One connection's side of a keep-alive shortcut (held in `Node.keepAlive`). */
export interface KeepAliveLink {
  /** True while this side's own automatic pings are computed (Core's ping timer and timeout are then off). */
  ownsPings(): boolean;
  /**
   * MaybeSendPing wants to send an automatic ping now: true if the link sends it and the ones
   * after it every `periodMicros` (computed), false if the ping must go as a message.
   */
  startPings(now: Micros, periodMicros: Micros): boolean;
  /** Applies every computed effect on this side up to `now` (before counters or ping times are read). */
  settle(now: Micros): void;
  /** Hands both sides' computed traffic back to the message path at `now` (what is in flight becomes a message). */
  release(now: Micros): void;
  /** The connection is gone: released, then forgotten. */
  detach(now: Micros): void;
}

/** Why a connection ended, as recorded in events. Inactivity reasons are those of inactivity.ts. */
export type CloseReason =
  | 'socket-no-message'
  | 'socket-send-timeout'
  | 'socket-receive-timeout'
  | 'v2-handshake-timeout'
  | 'version-handshake-timeout'
  | 'ping-timeout'
  | 'remote-closed'
  | 'remote-reset'
  | 'evicted'
  | 'evicted-tx-relay'
  | 'tx-relay-capacity'
  | 'feeler-done'
  | 'addr-fetch-done'
  | 'addr-fetch-timeout'
  | 'missing-services'
  | 'obsolete-version'
  | 'self-connection'
  | 'protocol-violation'
  | 'misbehaving'
  | 'disconnect-requested'
  | 'network-inactive'
  | 'shutdown'
  | 'outbound-eviction-chain-sync'
  | 'extra-outbound-evicted'
  | 'extra-block-relay-evicted'
  | 'block-download-timeout'
  /** -maxuploadtarget reached: a historical block or a mempool request (Core disconnects the peer). */
  | 'upload-target-reached';

/** Why an inbound connection was refused at accept time. */
export type InboundDropReason = 'network-inactive' | 'banned' | 'discouraged' | 'full' | 'not-listening';

/** Why an outbound attempt was refused before or at connect. */
export type ConnectRefusal =
  | 'network-inactive'
  | 'local-address'
  | 'already-connected'
  | 'discouraged'
  | 'invalid'
  | ConnectFailure;

/** Everything the Connman reports. `nodeId` is the CNode id; `addr` the peer's "ip:port" string. */
export type ConnmanEvent =
  | { readonly kind: 'connect-attempt'; readonly addr: string; readonly connType: ConnectionType }
  | {
      readonly kind: 'connect-failed';
      readonly addr: string;
      readonly connType: ConnectionType;
      readonly reason: ConnectRefusal;
    }
  | {
      readonly kind: 'connection-opened';
      readonly nodeId: number;
      readonly addr: string;
      readonly connType: ConnectionType;
      readonly inbound: boolean;
    }
  | {
      readonly kind: 'handshake-complete';
      readonly nodeId: number;
      readonly addr: string;
      readonly connType: ConnectionType;
      readonly services: number;
    }
  | {
      readonly kind: 'connection-closed';
      readonly nodeId: number;
      readonly addr: string;
      readonly connType: ConnectionType;
      readonly reason: CloseReason;
      readonly lifetimeMicros: Micros;
    }
  | { readonly kind: 'inbound-dropped'; readonly addr: string; readonly reason: InboundDropReason }
  | {
      readonly kind: 'eviction';
      readonly victimId: number;
      readonly victimAddr: string;
      readonly txRelayOnly: boolean;
    }
  | {
      readonly kind: 'addrman';
      readonly action: 'attempt' | 'good' | 'connected' | 'set-services' | 'add' | 'resolve-collisions';
      readonly addr: string;
      readonly count?: number;
    }
  | { readonly kind: 'feeler-done'; readonly nodeId: number; readonly addr: string }
  | { readonly kind: 'addr-fetch-done'; readonly nodeId: number; readonly addr: string; readonly timedOut: boolean }
  | { readonly kind: 'dns-seed'; readonly seed: string; readonly found: number; readonly fallback: boolean }
  | { readonly kind: 'fixed-seeds-added'; readonly count: number }
  | { readonly kind: 'anchors-read'; readonly count: number }
  | { readonly kind: 'anchors-dumped'; readonly count: number }
  | { readonly kind: 'peers-dumped'; readonly entries: number; readonly bytes: number }
  | { readonly kind: 'peers-loaded'; readonly entries: number; readonly ok: boolean }
  | { readonly kind: 'ping'; readonly nodeId: number; readonly rttMicros: Micros }
  | {
      /** An addr / addrv2 message was processed: what became of its entries. */
      readonly kind: 'addr-received';
      readonly nodeId: number;
      readonly addr: string;
      readonly msgType: 'addr' | 'addrv2';
      /** Entries in the message. */
      readonly count: number;
      /** Core's num_proc: passed the rate limit and the service filter, not banned. */
      readonly processed: number;
      /** Core's num_rate_limit: dropped by the token bucket. */
      readonly rateLimited: number;
      /** Handed to AddrMan (reachable networks only). */
      readonly stored: number;
      /** Entries relayed onwards (each to 1 or 2 peers). */
      readonly relayed: number;
    }
  | {
      /** An addr-related message was ignored as a whole. */
      readonly kind: 'addr-ignored';
      readonly nodeId: number;
      readonly addr: string;
      readonly msgType: 'addr' | 'addrv2' | 'getaddr';
      readonly reason: 'no-addr-relay' | 'getaddr-outbound' | 'getaddr-repeat';
    }
  | {
      /** We sent an addr / addrv2 message (trickled relay, getaddr answer or self-announcement). */
      readonly kind: 'addr-sent';
      readonly nodeId: number;
      readonly addr: string;
      readonly msgType: 'addr' | 'addrv2';
      readonly count: number;
      /** The initial self-announcement, sent in its own message. */
      readonly selfAnnouncement: boolean;
    }
  | {
      /** A GETADDR was answered (queued): from the per-network cache, or uncached (Addr permission). */
      readonly kind: 'getaddr-answered';
      readonly nodeId: number;
      readonly addr: string;
      readonly count: number;
      readonly cached: boolean;
    }
  | {
      /** Core's Misbehaving() and what MaybeDiscourageAndDisconnect then did. */
      readonly kind: 'misbehaving';
      readonly nodeId: number;
      readonly addr: string;
      readonly reason: string;
      /** 'disconnect': disconnected and its address discouraged; 'disconnect-local': a local address, not discouraged. */
      readonly action: 'disconnect' | 'disconnect-local' | 'none-noban' | 'none-manual';
    }
  | {
      /** A transaction entered the mempool: from a peer (its id and address) or submitted locally (nodeId -1, addr ''). */
      readonly kind: 'tx-accepted';
      readonly nodeId: number;
      readonly addr: string;
      readonly txid: number;
    }
  | {
      /** A trickled inv of transactions was sent to a peer (net_processing/tx.ts). */
      readonly kind: 'tx-inv-sent';
      readonly nodeId: number;
      readonly addr: string;
      readonly count: number;
    }
  | {
      /** Our best tip moved (net_processing/blocks.ts); `fromNodeId` null for a block from the world's source. */
      readonly kind: 'tip-updated';
      readonly height: number;
      readonly fromNodeId: number | null;
    }
  | {
      /** CheckForStaleTipAndEvictPeers found the tip stale and asked for an extra outbound peer. */
      readonly kind: 'stale-tip';
      readonly lastTipUpdateSeconds: number;
    };

/** Receives the Connman's events (tracing, counters, invariant checks). Must not call back into it. */
export interface EventSink {
  emit(event: ConnmanEvent): void;
}
