// Tiny in-memory implementations of the ports for connman's own unit tests: a virtual clock with
// a (time, sequence) event queue, a scriptable transport whose far ends are either driven by the
// test or answer like a polite Core peer, a file store and a DNS resolver. No simulation kernel,
// no latency model, no I/O. Scenarios use the sim adapters in scenarios/ instead.

import {
  MSG_GETADDR,
  MSG_PING,
  MSG_VERSION,
  pongMessage,
  sendAddrV2Message,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  type P2PMessage,
} from '../protocol/messages.ts';
import type { NetAddr, Service } from '../protocol/netaddress.ts';
import type {
  NodeClock,
  ConnectFailure,
  ConnHandle,
  ConnmanEvent,
  DnsSeedResolver,
  EventSink,
  Micros,
  Scheduler,
  TimerHandle,
  Transport,
  TransportHandlers,
} from '../ports.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { MemoryFiles } from '../util/memory-files.ts';
import { TimerQueue } from '../util/timer-queue.ts';

/** A virtual clock and event queue; `runUntil` executes events in (time, sequence) order. */
export class FakeScheduler implements Scheduler, NodeClock {
  private t: Micros;
  private readonly timers = new TimerQueue();
  /** Events executed so far. */
  executed = 0;
  private jumpedFrom: Micros | null = null;

  constructor(startMicros: Micros = 1_700_000_000_000_000) {
    this.t = startMicros;
  }

  nowMicros(): Micros {
    return this.t;
  }

  /** Null while runUntil / runFor move time continuously; after jumpTo, the time it jumped from. */
  jumpedFromMicros(): Micros | null {
    return this.jumpedFrom;
  }

  /**
   * Core's setmocktime jump: the clock is set to `t` at once and every event due by then runs at
   * `t` (the next pass of Core's loops sees the new time), not at its own due time.
   */
  jumpTo(t: Micros): void {
    this.jumpedFrom = this.t;
    this.t = Math.max(this.t, t);
    let guard = 0;
    for (;;) {
      const e = this.timers.popDue(this.t);
      if (e === null) break;
      if (++guard > 1_000_000) throw new Error(`FakeScheduler: runaway event loop at ${this.t}`);
      this.executed++;
      e.fn();
    }
  }

  schedule(atMicros: Micros, fn: () => void): TimerHandle {
    return this.timers.schedule(Math.max(atMicros, this.t), fn);
  }

  register(handler: (arg: number) => void): number {
    return this.timers.register(handler);
  }

  at(atMicros: Micros, kind: number, arg: number): TimerHandle {
    return this.timers.at(atMicros, kind, arg, (a, f) => this.schedule(a, f));
  }

  cancel(handle: TimerHandle): boolean {
    return this.timers.cancel(handle);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Runs every event due at or before `t`, then sets the clock to `t`. */
  runUntil(t: Micros): void {
    this.jumpedFrom = null;
    let guard = 0;
    for (;;) {
      const e = this.timers.popDue(t);
      if (e === null) break;
      if (++guard > 1_000_000) throw new Error(`FakeScheduler: runaway event loop at ${e.at}`);
      this.t = e.at;
      this.executed++;
      e.fn();
    }
    this.t = Math.max(this.t, t);
  }

  runFor(d: Micros): void {
    this.runUntil(this.t + d);
  }
}

/** How a far end behaves. */
export interface RemoteBehaviour {
  /** Answer our VERSION with VERSION (+ WTXIDRELAY, SENDADDRV2) and VERACK; answer pings. Default true. */
  polite: boolean;
  services: number;
  /** fRelay in its VERSION. */
  relay: boolean;
  /** Nonce of its VERSION (for self-connection tests). */
  nonce: bigint;
  /** Reply to GETADDR with this message. */
  getAddrReply?: P2PMessage;
  answerPings: boolean;
  /** One-way delay of every message, µs. */
  latencyMicros: Micros;
}

export interface FakeConn {
  handle: ConnHandle;
  remote: Service;
  inbound: boolean;
  sent: P2PMessage[];
  closed: boolean;
  behaviour: RemoteBehaviour;
}

const DEFAULT_BEHAVIOUR: RemoteBehaviour = {
  polite: true,
  services: NODE_NETWORK | NODE_WITNESS,
  relay: true,
  nonce: 0x1234n,
  answerPings: true,
  latencyMicros: 50_000,
};

/**
 * A transport whose outbound connects succeed, are refused or time out per a policy, and whose
 * connections answer as `behaviour` says. Every callback goes through the scheduler.
 */
export class FakeTransport implements Transport {
  handlers: TransportHandlers | null = null;
  readonly conns = new Map<ConnHandle, FakeConn>();
  readonly listening: Service[] = [];
  readonly connectLog: { to: Service; timeout: Micros }[] = [];
  private nextHandle = 1;
  /** Decides each outbound connect. */
  policy: (to: Service) => 'accept' | ConnectFailure | 'hang' = () => 'accept';
  /** Behaviour of new connections (outbound by target, inbound per accept call). */
  behaviourFor: (remote: Service) => Partial<RemoteBehaviour> = () => ({});
  connectDelayMicros: Micros = 20_000;

  constructor(
    private readonly sched: FakeScheduler,
    private readonly localAddr: Service,
  ) {}

  setHandlers(h: TransportHandlers): void {
    this.handlers = h;
  }
  listen(local: Service): boolean {
    this.listening.push(local);
    return true;
  }
  unlisten(local: Service): void {
    const i = this.listening.findIndex((s) => s.equals(local));
    if (i >= 0) this.listening.splice(i, 1);
  }

  connect(to: Service, timeoutMicros: Micros): ConnHandle {
    const handle = this.nextHandle++;
    this.connectLog.push({ to, timeout: timeoutMicros });
    const decision = this.policy(to);
    if (decision === 'hang') return handle;
    if (decision === 'accept') {
      this.conns.set(handle, this.newConn(handle, to, false));
      this.sched.schedule(this.sched.nowMicros() + this.connectDelayMicros, () => {
        const c = this.conns.get(handle);
        if (c !== undefined && !c.closed) this.handlers!.onConnected(handle, this.localAddr);
      });
    } else {
      const delay = decision === 'timeout' ? timeoutMicros : this.connectDelayMicros;
      this.sched.schedule(this.sched.nowMicros() + delay, () => this.handlers!.onConnectFailed(handle, decision));
    }
    return handle;
  }

  private newConn(handle: ConnHandle, remote: Service, inbound: boolean): FakeConn {
    return {
      handle,
      remote,
      inbound,
      sent: [],
      closed: false,
      behaviour: { ...DEFAULT_BEHAVIOUR, ...this.behaviourFor(remote) },
    };
  }

  /** A peer at `remote` connects to our `local`. Returns its handle. */
  accept(local: Service, remote: Service, behaviour: Partial<RemoteBehaviour> = {}): ConnHandle {
    const handle = this.nextHandle++;
    const c = this.newConn(handle, remote, true);
    c.behaviour = { ...c.behaviour, ...behaviour };
    this.conns.set(handle, c);
    this.sched.schedule(this.sched.nowMicros(), () => this.handlers!.onAccept(handle, local, remote));
    return handle;
  }

  send(conn: ConnHandle, msg: P2PMessage): boolean {
    const c = this.conns.get(conn);
    if (c === undefined || c.closed) return false;
    c.sent.push(msg);
    this.react(c, msg);
    return true;
  }

  close(conn: ConnHandle): void {
    const c = this.conns.get(conn);
    if (c !== undefined) c.closed = true;
  }

  /** The far end sends `msg` (arrives after its latency). */
  deliver(conn: ConnHandle, msg: P2PMessage, delay?: Micros): void {
    const c = this.conns.get(conn)!;
    this.sched.schedule(this.sched.nowMicros() + (delay ?? c.behaviour.latencyMicros), () => {
      if (!c.closed) this.handlers!.onMessage(conn, msg);
    });
  }

  /** The far end closes. */
  remoteClose(conn: ConnHandle): void {
    const c = this.conns.get(conn)!;
    this.sched.schedule(this.sched.nowMicros(), () => {
      if (!c.closed) {
        c.closed = true;
        this.handlers!.onRemoteClose(conn, 'closed');
      }
    });
  }

  /** The polite far end's answers: our message travels one latency, the answer another. */
  private react(c: FakeConn, msg: P2PMessage): void {
    const b = c.behaviour;
    if (!b.polite) return;
    const rtt = 2 * b.latencyMicros;
    const now = Math.floor(this.sched.nowMicros() / 1e6);
    if (msg.type === MSG_VERSION) {
      if (!c.inbound) {
        this.deliver(c.handle, versionMessage({ services: b.services, timeSeconds: now, nonce: b.nonce, relay: b.relay }), rtt);
      }
      this.deliver(c.handle, wtxidRelayMessage(), rtt);
      this.deliver(c.handle, sendAddrV2Message(), rtt);
      this.deliver(c.handle, verackMessage(), rtt);
    } else if (msg.type === MSG_PING && b.answerPings) {
      this.deliver(c.handle, pongMessage((msg as { nonce: bigint }).nonce), rtt);
    } else if (msg.type === MSG_GETADDR && b.getAddrReply !== undefined) {
      this.deliver(c.handle, b.getAddrReply, rtt);
    }
  }

  /** Connections to a remote, newest last. */
  connsTo(remote: Service): FakeConn[] {
    return [...this.conns.values()].filter((c) => c.remote.equals(remote));
  }
}

/** A node's files in memory (connman/util/memory-files.ts). */
export class FakeFileStore extends MemoryFiles {}

export class FakeDns implements DnsSeedResolver {
  readonly answers = new Map<string, readonly NetAddr[]>();
  readonly queries: string[] = [];
  resolve(seed: string, max: number): readonly NetAddr[] {
    this.queries.push(seed);
    return (this.answers.get(seed) ?? []).slice(0, max);
  }
}

export class EventLog implements EventSink {
  readonly events: ConnmanEvent[] = [];
  emit(e: ConnmanEvent): void {
    this.events.push(e);
  }
  ofKind<K extends ConnmanEvent['kind']>(kind: K): Extract<ConnmanEvent, { kind: K }>[] {
    return this.events.filter((e) => e.kind === kind) as Extract<ConnmanEvent, { kind: K }>[];
  }
}

export { NO_DEBUG_LOG } from '../util/logging.ts';
