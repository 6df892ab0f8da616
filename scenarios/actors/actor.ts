// The protocol engine every attacker kind is built on: a set of sim hosts owning the attacker's
// addresses that speak just enough of the P2P protocol (connman/protocol/messages.ts) to honest Core nodes
// over the same simulated network, so every attack goes through the victims' real connman and
// peerman code. It can listen on the attacker's addresses (victims connect out to it), hold
// outbound "slots" towards targets (victims see inbound peers) with staggered starts, reconnects and
// exponential holding times, and per connection behave politely (full handshake, pongs, GETADDR
// answers), slowly (late or no pongs) or not at all (black hole).
// It holds no attack policy: the kinds (listeners.ts, addr-flooder.ts, inbound-sybils.ts,
// silent-peers.ts, slow-peers.ts) configure it and add their own actions through the hooks.
//
// All timers are kernel events of three handler kinds registered once per actor (slot connect,
// slot hold end, keep-alive), each carrying an integer argument; nothing polls.

import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import type { Address } from '../../connman/protocol/protocol.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import {
  addrMessage,
  addrV2Message,
  MSG_GETADDR,
  MSG_PING,
  MSG_SENDADDRV2,
  MSG_VERACK,
  MSG_VERSION,
  pingMessage,
  pongMessage,
  sendAddrV2Message,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  type AddrMessage,
  type P2PMessage,
} from '../../connman/protocol/messages.ts';
import { samplerFor, type DistributionSpec, type EventHandle, type HandlerKind, type HostId, type Micros, type Sampler, type SimAddress, type SocketId } from '../../sim/index.ts';
import { serviceOfSim, simAddressOf } from '../world/address-plan.ts';
import { sortedStats, type Attacker, type AttackerEnv } from './attacker-env.ts';

/** Mainnet's P2P port. */
export const ATTACKER_DEFAULT_PORT = 8333;

/** 'botnet': one host per address; 'infrastructure': one host owning every address. */
export type HostStyle = 'botnet' | 'infrastructure';

/** How the actor behaves on every connection. */
export interface PeerBehaviour {
  /** Never send a byte (no VERSION, no pong, nothing). */
  silent: boolean;
  /** Answer the victim's pings. */
  answerPings: boolean;
  /** Delay before each pong (0: at once). */
  pongDelayMicros: Micros;
  /** After our handshake completes, send a ping of our own this often (keeps the victim's receive side busy). */
  keepAliveMicros: Micros | undefined;
  /** Services in our VERSION. */
  services: number;
  /** fRelay in our VERSION. */
  relay: boolean;
  /** User agent in our VERSION. */
  userAgent: string;
  /**
   * Name our own address (the connection's local address, port 8333) in VERSION's addr_from, as Core
   * before 0.10.1 read it: an inbound peer announcing its own address went into the tried table.
   * Default false (Core today sends an empty addr_from).
   */
  announceSelfInVersion: boolean;
}

export function defaultBehaviour(): PeerBehaviour {
  return {
    silent: false,
    answerPings: true,
    pongDelayMicros: 0,
    keepAliveMicros: undefined,
    services: NODE_NETWORK | NODE_WITNESS,
    relay: true,
    userAgent: '/Satoshi:27.0.0/',
    announceSelfInVersion: false,
  };
}

/** Outbound connection slots: each source address connects to each target `perAddress` times. */
export interface SlotPlan {
  /** Drawn gaps between first connects instead of connectIntervalMicros (SlotSpec.connectGap). */
  connectGap?: DistributionSpec;
  /** Drawn reconnect delays instead of reconnectDelayMicros (SlotSpec.reconnectDelay). */
  reconnectDelay?: DistributionSpec;
  targets: readonly { address: SimAddress; port: number }[];
  perAddress: number;
  /** First connect after this delay from start(). */
  startDelayMicros: Micros;
  /** Spacing of the slots' first connects. */
  connectIntervalMicros: Micros;
  /** After a slot's connection ends (or fails), connect again after this delay; undefined: never. */
  reconnectDelayMicros: Micros | undefined;
  /** Churn: the holding time drawn when a slot's connection opens (we close it then); undefined: hold. */
  holdMicros: (() => Micros) | undefined;
  /** When the holding time starts: at TCP connect, or when the handshake completes. */
  holdFrom: 'connect' | 'handshake';
}

/** The connection options every connecting kind's spec shares. */
export interface SlotSpec extends SlotTiming {
  connectionsPerAddress?: number;
  startDelayMicros?: Micros;
  connectIntervalMicros?: Micros;
}

/**
 * Connection timing as distributions (`connsim profiles` lists the forms), for every connecting
 * attacker kind; unset, the kind's fixed spacing and reconnect delay apply.
 */
export interface SlotTiming {
  /**
   * The gap between successive slots' first connects, drawn per gap (replaces connectIntervalMicros),
   * e.g. exponential(200ms) for Poisson arrivals. Draws below 0 count as 0.
   */
  connectGap?: DistributionSpec;
  /** The delay before a slot reconnects after its connection ended or failed, drawn each time (replaces the kind's fixed reconnect delay). */
  reconnectDelay?: DistributionSpec;
}

/**
 * The slot plan of a connecting attacker: one slot per (address, target) pair times
 * `connectionsPerAddress` (default 1), starting after `startDelayMicros` (default 0) and spaced by
 * `connectIntervalMicros` (default 100 ms); undefined when there are no targets.
 */
export function slotPlan(
  targets: readonly Service[],
  spec: SlotSpec,
  rest: Pick<SlotPlan, 'reconnectDelayMicros' | 'holdMicros' | 'holdFrom'> & { connectIntervalMicros?: Micros },
): SlotPlan | undefined {
  if (targets.length === 0) return undefined;
  return {
    targets: targets.map((t) => ({ address: simAddressOf(t), port: t.port })),
    perAddress: spec.connectionsPerAddress ?? 1,
    startDelayMicros: spec.startDelayMicros ?? 0,
    connectIntervalMicros: rest.connectIntervalMicros ?? spec.connectIntervalMicros ?? 100_000,
    reconnectDelayMicros: rest.reconnectDelayMicros,
    holdMicros: rest.holdMicros,
    holdFrom: rest.holdFrom,
    ...(spec.connectGap !== undefined ? { connectGap: spec.connectGap } : {}),
    ...(spec.reconnectDelay !== undefined ? { reconnectDelay: spec.reconnectDelay } : {}),
  };
}

/** One connection of the actor. */
export interface ActorConn {
  readonly socket: SocketId;
  readonly host: HostId;
  /** True when the victim connected to us (we accepted); false when we connected out. */
  readonly accepted: boolean;
  /** The outbound slot this connection belongs to, or -1 for accepted connections. */
  readonly slot: number;
  readonly openedMicros: Micros;
  /** The victim's VERACK arrived (its side of the handshake is done). */
  handshakeDone: boolean;
  versionReceived: boolean;
  peerWantsAddrV2: boolean;
  closed: boolean;
}

interface Slot {
  readonly host: HostId;
  readonly from: SimAddress;
  readonly to: SimAddress;
  readonly port: number;
  socket: SocketId;
  connecting: boolean;
  holdHandle: EventHandle;
}

/** What a kind adds on top of the engine. All optional. */
export interface ActorHooks {
  /** A connection opened (accepted, or ours connected). */
  onOpened?(c: ActorConn): void;
  /** A message arrived on a connection, before the engine handles it (also when silent). */
  onReceived?(c: ActorConn, m: P2PMessage): void;
  /** Our side completed the handshake (the victim's VERACK arrived). */
  onHandshake?(c: ActorConn): void;
  /** The victim sent GETADDR: return the addresses to answer with (undefined: no answer). */
  getAddrAnswer?(c: ActorConn): readonly Address[] | undefined;
  /** A connection ended (`byVictim`: the victim closed it; else we did). */
  onClosed?(c: ActorConn, byVictim: boolean): void;
}

export interface ActorConfig {
  name: string;
  kind: string;
  addresses: readonly NetAddr[];
  hostStyle: HostStyle;
  /** Listen on `port` on every address (victims may connect out to us). */
  listen: boolean;
  port: number;
  behaviour: PeerBehaviour;
  slots: SlotPlan | undefined;
  hooks?: ActorHooks;
}

// Timer handler kinds' arguments are slot indices or socket ids.
export class P2PActor {
  readonly name: string;
  readonly kind: string;
  readonly hosts: HostId[] = [];
  readonly conns = new Map<SocketId, ActorConn>();
  protected readonly counters = new Map<string, number>();
  private readonly ownAddresses: NetAddr[];
  private readonly slots: Slot[] = [];
  private readonly kindConnect: HandlerKind;
  private readonly kindHoldEnd: HandlerKind;
  private readonly kindKeepAlive: HandlerKind;
  private readonly socketSlot = new Map<SocketId, number>();
  private nonceBase: bigint;
  private nonceCounter = 0n;
  private started = false;
  private stopped = false;
  /** Drawn reconnect delays (SlotPlan.reconnectDelay), from a stream of the actor's own. */
  private readonly reconnectDraw: Sampler | undefined;

  constructor(
    protected readonly env: AttackerEnv,
    protected readonly config: ActorConfig,
  ) {
    this.name = config.name;
    const rd = config.slots?.reconnectDelay;
    this.reconnectDraw = rd !== undefined ? samplerFor(env.rng.fork('reconnect-delays'), rd) : undefined;
    this.kind = config.kind;
    this.ownAddresses = [...config.addresses];
    if (this.ownAddresses.length === 0) throw new RangeError(`${config.name}: an attacker needs at least one address`);
    this.nonceBase = BigInt.asUintN(64, env.rng.fork('nonces').rand64() | 1n);
    // Hosts: botnet = one per address, infrastructure = one owning all.
    if (config.hostStyle === 'infrastructure') this.hosts.push(env.addHost(this.ownAddresses));
    else for (const a of this.ownAddresses) this.hosts.push(env.addHost([a]));
    const handlers = {
      onAccept: (socket: SocketId) => this.onAccept(socket),
      onConnect: (socket: SocketId) => this.onConnect(socket),
      onConnectFailed: (socket: SocketId) => this.onConnectFailed(socket),
      onMessage: (socket: SocketId, m: P2PMessage) => this.onMessage(socket, m),
      onClose: (socket: SocketId) => this.onRemoteClose(socket),
    };
    for (const h of this.hosts) env.network.setHandlers(h, handlers);
    const k = env.kernel;
    this.kindConnect = k.register((slot) => this.slotConnect(slot), `attacker.${config.kind}.connect`);
    this.kindHoldEnd = k.register((slot) => this.slotHoldEnd(slot), `attacker.${config.kind}.hold-end`);
    this.kindKeepAlive = k.register((socket) => this.keepAlive(socket), `attacker.${config.kind}.keep-alive`);
    for (const key of ['attempts', 'connected', 'connectFailed', 'accepted', 'handshakes', 'rejectedBeforeHandshake', 'closedByVictim', 'closedBySelf', 'pingsReceived', 'pongsSent', 'getAddrAnswered', 'addrMessagesSent', 'addrEntriesSent']) {
      this.counters.set(key, 0);
    }
    this.buildSlots();
  }

  /** Every address the actor owns, in allocation order. */
  addresses(): NetAddr[] {
    return [...this.ownAddresses];
  }

  /** Counters, keys sorted; `open` is the number of connections open now. */
  stats(): Record<string, number> {
    const c = new Map(this.counters);
    c.set('open', this.openConnections().length);
    return sortedStats(c);
  }

  /** Open connections in socket order. */
  openConnections(): ActorConn[] {
    const out: ActorConn[] = [];
    for (const c of this.conns.values()) if (!c.closed) out.push(c);
    return out;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.config.listen) for (const h of this.hosts) this.env.network.listen(h, this.config.port);
    const plan = this.config.slots;
    if (plan === undefined) return;
    if (plan.connectGap === undefined) {
      for (let i = 0; i < this.slots.length; i++) this.arm(plan.startDelayMicros + i * plan.connectIntervalMicros, this.kindConnect, i);
      return;
    }
    // Drawn gaps, from a stream of the actor's own (forking draws nothing from the parent).
    const gap = samplerFor(this.env.rng.fork('connect-gaps'), plan.connectGap);
    let at = plan.startDelayMicros;
    for (let i = 0; i < this.slots.length; i++) {
      if (i > 0) at += Math.max(0, Math.round(gap()));
      this.arm(at, this.kindConnect, i);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Other timers (reconnects, keep-alives, late pongs) find the actor stopped and do nothing.
    for (const s of this.slots) {
      if (s.holdHandle >= 0) this.env.kernel.cancel(s.holdHandle);
      s.holdHandle = -1;
    }
    if (this.started && this.config.listen) for (const h of this.hosts) this.env.network.unlisten(h, this.config.port);
    for (const c of this.openConnections()) this.closeConn(c);
    for (const s of this.slots) {
      if (s.connecting && s.socket >= 0) this.env.network.close(s.socket);
      s.connecting = false;
    }
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Opens one connection from the actor's first host to `to`, outside any slot plan (a scripted peer's). */
  connectTo(to: SimAddress, port: number): SocketId {
    this.bump('attempts');
    return this.env.network.connect(this.hosts[0]!, to, port);
  }

  /** Closes one of our connections (counted as closedBySelf). */
  closeConn(c: ActorConn): void {
    if (c.closed) return;
    c.closed = true;
    this.env.network.close(c.socket);
    this.bump('closedBySelf');
    this.ended(c, false);
  }

  /** Sends unless silent or closed. */
  send(c: ActorConn, m: P2PMessage): void {
    if (this.config.behaviour.silent || c.closed) return;
    this.env.network.send(c.socket, m, m.sizeBytes);
  }

  /** Sends an addr message (addrv2 if the victim asked for it) and counts it. */
  sendAddrs(c: ActorConn, v1: AddrMessage, v2: AddrMessage): void {
    if (this.config.behaviour.silent || c.closed) return;
    const m = c.peerWantsAddrV2 ? v2 : v1;
    this.send(c, m);
    this.bump('addrMessagesSent');
    this.bump('addrEntriesSent', m.addresses.length);
  }

  bump(key: string, by = 1): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  /** Schedules one of the actor's registered handlers. */
  private arm(delay: Micros, kind: HandlerKind, arg: number): EventHandle {
    return this.env.kernel.after(delay, kind, arg);
  }

  // --- slots -----------------------------------------------------------------------------------

  private buildSlots(): void {
    const plan = this.config.slots;
    if (plan === undefined) return;
    const hostOf = (i: number): HostId => (this.config.hostStyle === 'infrastructure' ? this.hosts[0]! : this.hosts[i]!);
    for (let i = 0; i < this.ownAddresses.length; i++) {
      const from = simAddressOf(this.ownAddresses[i]!);
      for (const t of plan.targets) {
        for (let k = 0; k < plan.perAddress; k++) {
          this.slots.push({ host: hostOf(i), from, to: t.address, port: t.port, socket: -1, connecting: false, holdHandle: -1 });
        }
      }
    }
  }

  /** Number of outbound slots (source addresses × targets × per-address connections). */
  get slotCount(): number {
    return this.slots.length;
  }

  private slotConnect(i: number): void {
    if (this.stopped) return;
    const s = this.slots[i]!;
    if (s.connecting || (s.socket >= 0 && this.conns.get(s.socket)?.closed === false)) return;
    this.bump('attempts');
    s.connecting = true;
    if (s.socket >= 0) this.socketSlot.delete(s.socket);
    s.socket = this.env.network.connect(s.host, s.to, s.port, s.from);
    this.socketSlot.set(s.socket, i);
  }

  private slotEnded(i: number): void {
    const s = this.slots[i]!;
    s.connecting = false;
    if (s.holdHandle >= 0) {
      this.env.kernel.cancel(s.holdHandle);
      s.holdHandle = -1;
    }
    if (this.stopped) return;
    if (this.reconnectDraw !== undefined) this.arm(Math.max(0, Math.round(this.reconnectDraw())), this.kindConnect, i);
    else {
      const delay = this.config.slots?.reconnectDelayMicros;
      if (delay !== undefined) this.arm(delay, this.kindConnect, i);
    }
  }

  private armHold(c: ActorConn): void {
    const plan = this.config.slots;
    if (c.slot < 0 || plan?.holdMicros === undefined) return;
    this.slots[c.slot]!.holdHandle = this.arm(plan.holdMicros(), this.kindHoldEnd, c.slot);
  }

  private slotHoldEnd(i: number): void {
    const s = this.slots[i]!;
    s.holdHandle = -1;
    if (this.stopped) return;
    const c = this.conns.get(s.socket);
    if (c !== undefined && !c.closed) this.closeConn(c);
  }

  // --- network callbacks -------------------------------------------------------------------------

  private newConn(socket: SocketId, accepted: boolean, slot: number): ActorConn {
    const c: ActorConn = {
      socket,
      host: this.env.network.hostOfSocket(socket),
      accepted,
      slot,
      openedMicros: this.env.kernel.now(),
      handshakeDone: false,
      versionReceived: false,
      peerWantsAddrV2: false,
      closed: false,
    };
    this.conns.set(socket, c);
    this.config.hooks?.onOpened?.(c);
    return c;
  }

  private onAccept(socket: SocketId): void {
    if (this.stopped) {
      this.env.network.close(socket);
      return;
    }
    this.bump('accepted');
    this.newConn(socket, true, -1);
  }

  private slotOfSocket(socket: SocketId): number {
    return this.socketSlot.get(socket) ?? -1;
  }

  private onConnect(socket: SocketId): void {
    const slot = this.slotOfSocket(socket);
    if (slot >= 0) this.slots[slot]!.connecting = false;
    if (this.stopped) {
      this.env.network.close(socket);
      return;
    }
    this.bump('connected');
    const c = this.newConn(socket, false, slot);
    // We opened the connection: we speak first, as Core's outbound side does.
    this.send(c, this.version(c));
    if (this.config.slots?.holdFrom === 'connect') this.armHold(c);
  }

  private onConnectFailed(socket: SocketId): void {
    this.bump('connectFailed');
    const slot = this.slotOfSocket(socket);
    if (slot >= 0) this.slotEnded(slot);
  }

  private onRemoteClose(socket: SocketId): void {
    const c = this.conns.get(socket);
    if (c === undefined || c.closed) return;
    c.closed = true;
    this.bump(c.handshakeDone ? 'closedByVictim' : 'rejectedBeforeHandshake');
    this.ended(c, true);
  }

  private ended(c: ActorConn, byVictim: boolean): void {
    this.config.hooks?.onClosed?.(c, byVictim);
    // Forget the record: long churning runs would otherwise keep every connection ever made.
    this.conns.delete(c.socket);
    if (c.slot >= 0) this.slotEnded(c.slot);
  }

  private version(c: ActorConn): P2PMessage {
    const b = this.config.behaviour;
    const self = b.announceSelfInVersion ? { addrFrom: serviceOfSim(this.env.network.socketInfo(c.socket).localAddress, this.config.port) } : {};
    return versionMessage({
      ...self,
      services: b.services,
      timeSeconds: this.env.timeSeconds(),
      nonce: this.nonceBase + this.nonceCounter++,
      relay: b.relay,
      userAgent: b.userAgent,
    });
  }

  private onMessage(socket: SocketId, m: P2PMessage): void {
    const c = this.conns.get(socket);
    if (c === undefined || c.closed) return;
    this.config.hooks?.onReceived?.(c, m);
    if (this.config.behaviour.silent) return;
    switch (m.type) {
      case MSG_VERSION:
        if (c.versionReceived) return;
        c.versionReceived = true;
        // The victim connected to us: it spoke first, we answer with our VERSION.
        if (c.accepted) this.send(c, this.version(c));
        this.send(c, wtxidRelayMessage());
        this.send(c, sendAddrV2Message());
        this.send(c, verackMessage());
        return;
      case MSG_SENDADDRV2:
        c.peerWantsAddrV2 = true;
        return;
      case MSG_VERACK: {
        if (c.handshakeDone) return;
        c.handshakeDone = true;
        this.bump('handshakes');
        const every = this.config.behaviour.keepAliveMicros;
        if (every !== undefined) this.arm(every, this.kindKeepAlive, socket);
        if (this.config.slots?.holdFrom === 'handshake') this.armHold(c);
        this.config.hooks?.onHandshake?.(c);
        return;
      }
      case MSG_PING:
        this.bump('pingsReceived');
        if (this.config.behaviour.answerPings) this.pong(c, m.nonce);
        return;
      case MSG_GETADDR: {
        const list = this.config.hooks?.getAddrAnswer?.(c);
        if (list === undefined || list.length === 0) return;
        this.bump('getAddrAnswered');
        this.sendAddrs(c, addrMessage(list), addrV2Message(list));
        return;
      }
      default:
        return;
    }
  }

  private pong(c: ActorConn, nonce: bigint): void {
    const delay = this.config.behaviour.pongDelayMicros;
    if (delay <= 0) {
      this.send(c, pongMessage(nonce));
      this.bump('pongsSent');
      return;
    }
    // Late pongs are rare (one per victim ping, every 2 minutes): a closure each is fine.
    this.env.kernel.scheduleAfter(delay, () => {
      if (c.closed || this.stopped) return;
      this.send(c, pongMessage(nonce));
      this.bump('pongsSent');
    });
  }

  private keepAlive(socket: SocketId): void {
    const c = this.conns.get(socket);
    if (c === undefined || c.closed || this.stopped) return;
    this.send(c, pingMessage(this.nonceBase ^ (this.nonceCounter++ + 0x1000n)));
    this.arm(this.config.behaviour.keepAliveMicros!, this.kindKeepAlive, socket);
  }
}

/**
 * The Attacker facade of an attacker kind that runs on one P2PActor: its addresses, counters,
 * start and stop are the actor's. Kinds add their own configuration and hooks.
 */
export abstract class ActorAttacker implements Attacker {
  abstract readonly name: string;
  abstract readonly kind: string;
  abstract readonly actor: P2PActor;

  addresses(): NetAddr[] {
    return this.actor.addresses();
  }
  stats(): Record<string, number> {
    return this.actor.stats();
  }
  start(): void {
    this.actor.start();
  }
  stop(): void {
    this.actor.stop();
  }
}
