// The analytic ping path: a simulator shortcut, not Core logic, plugged into each node through the
// KeepAlive port (connman/ports.ts). Between two nodes of one world on a path whose timing is fixed
// (no faults, no jitter, unlimited uplinks; see SimTransport.fixedPath), Core's keep-alive traffic
// is fully determined: each side pings every PING_INTERVAL plus one microsecond (net_processing.cpp
// MaybeSendPing fires at the first SendMessages after the interval, and the port runs it exactly
// then), the peer answers on arrival, and the pong returns one round trip after the ping. So
// instead of three kernel events per ping (send timer, ping arrival, pong arrival), a ping sequence
// is kept as its start time and latencies, and its effects on each side (bytes and message counts
// per type, last send / last receive, ping times, the ping in flight) are applied arithmetically
// when anyone reads them ("settling").
//
// When the path stops being fixed (the world installs a fault rule, a host crashes) or either end
// disconnects, the sequence is handed back to the message path ("materialised"): what is in flight
// becomes a real packet that left when it would have, with a real nonce, and the ordinary code
// carries on. The nonce values of analytic pings are never drawn: they are invisible except
// through their echo (ping nonces have their own random stream, so skipping them shifts nothing).
// Without it (`--ping-path messages`) every ping is a message: the reference it is tested against.

import { pingMessage, pongMessage, MESSAGE_HEADER_SIZE } from '../../connman/protocol/messages.ts';
import type { Node } from '../../connman/net/node.ts';
import { BIP0031_VERSION } from '../../connman/net_processing/peerman.ts';
import type { KeepAlive, KeepAliveLink, KeepAliveOwner, Micros } from '../../connman/ports.ts';
import type { SimTransport } from './sim-transport.ts';

/** Bytes of a ping or pong on the wire: the header plus the u64 nonce. */
export const PING_MESSAGE_BYTES = MESSAGE_HEADER_SIZE + 8;

/** The nonzero stand-in for m_ping_nonce_sent while an analytic ping is in flight. */
export const ANALYTIC_PING_NONCE = 0xffff_ffff_ffff_ffffn;

/** How a computed message goes back on the wire when a link is handed back. */
export interface PingWire {
  /** Sends `type` with `nonce` on `node`'s connection, as having left at `departedMicros`. */
  sendDeparted(node: Node, type: 'ping' | 'pong', nonce: bigint, departedMicros: Micros): void;
}

export interface PingEnd {
  readonly node: Node;
  readonly owner: KeepAliveOwner;
  readonly wire: PingWire;
}

/** One side's ping sequence: pings at start + k·period, answered on arrival. */
class PingSequence {
  /** Pings sent, pongs received (applied at the pinging end), pings arrived (applied at the other end). */
  sent = 0;
  pongs = 0;
  arrived = 0;
  constructor(
    readonly start: Micros,
    readonly period: Micros,
    readonly outMicros: Micros,
    readonly backMicros: Micros,
  ) {}

  /** How many events at start + k·period + offset (k >= 0) have happened by `t`. */
  count(t: Micros, offset: Micros): number {
    const first = this.start + offset;
    return t < first ? 0 : Math.floor((t - first) / this.period) + 1;
  }

  at(k: number, offset: Micros): Micros {
    return this.start + k * this.period + offset;
  }
}

/** A connection between two Connmans of the world, keyed by the transport's link key. */
export class PingLink {
  readonly ends: [PingEnd | null, PingEnd | null] = [null, null];
  readonly seqs: [PingSequence | null, PingSequence | null] = [null, null];

  constructor(readonly key: number) {}

  sideOf(node: Node): 0 | 1 {
    if (this.ends[0]?.node === node) return 0;
    if (this.ends[1]?.node === node) return 1;
    throw new Error(`node ${node.id} is not an end of ping link ${this.key}`);
  }

  /** True while either side's sequence is analytic. */
  active(): boolean {
    return this.seqs[0] !== null || this.seqs[1] !== null;
  }

  /** True while `node`'s own pings are analytic (its ping timer and ping timeout are off). */
  ownActive(node: Node): boolean {
    return this.seqs[this.sideOf(node)] !== null;
  }

  /** Applies everything of both sequences that touches `side`'s end and happened by `t`. */
  settle(side: 0 | 1, t: Micros): void {
    const end = this.ends[side];
    if (end === null) return;
    const own = this.seqs[side];
    if (own !== null) {
      const node = end.node;
      const sent = own.count(t, 0);
      if (sent > own.sent) {
        end.owner.computedSent(node, 'ping', sent - own.sent, own.at(sent - 1, 0), own.period);
        own.sent = sent;
      }
      const rtt = own.outMicros + own.backMicros;
      const pongs = own.count(t, rtt);
      if (pongs > own.pongs) {
        end.owner.computedReceived(node, 'pong', pongs - own.pongs, own.at(pongs - 1, rtt));
        own.pongs = pongs;
        node.pongReceived(rtt);
      }
      if (sent > 0) {
        node.pingStartMicros = own.at(sent - 1, 0);
        node.pingNonceSent = sent > pongs ? ANALYTIC_PING_NONCE : 0n;
      }
    }
    const other = this.seqs[side === 0 ? 1 : 0];
    if (other !== null) {
      const arrived = other.count(t, other.outMicros);
      if (arrived > other.arrived) {
        const last = other.at(arrived - 1, other.outMicros);
        end.owner.computedReceived(end.node, 'ping', arrived - other.arrived, last);
        end.owner.computedSent(end.node, 'pong', arrived - other.arrived, last, other.period);
        other.arrived = arrived;
      }
    }
  }

  /** Starts `side`'s analytic pings at `now` (its first ping is sent now). */
  start(side: 0 | 1, now: Micros, period: Micros, outMicros: Micros, backMicros: Micros): void {
    this.seqs[side] = new PingSequence(now, period, outMicros, backMicros);
    this.settle(side, now);
  }

  /**
   * Hands both sequences back to the real path at `now`: everything up to now is applied to both
   * ends, and a ping or pong still in flight becomes a real message arriving when it would have.
   */
  materialize(now: Micros): void {
    if (!this.active()) return;
    this.settle(0, now);
    this.settle(1, now);
    for (const side of [0, 1] as const) {
      const seq = this.seqs[side];
      if (seq === null) continue;
      this.seqs[side] = null;
      const end = this.ends[side]!;
      const peer = this.ends[side === 0 ? 1 : 0];
      const node = end.node;
      if (seq.sent > seq.pongs) {
        const nonce = end.owner.drawPingNonce();
        node.pingNonceSent = nonce;
        const sentAt = seq.at(seq.sent - 1, 0);
        const arrives = sentAt + seq.outMicros;
        // Still on its way: the ping, as sent then. Already answered: the pong, sent when the ping arrived.
        if (arrives > now) end.wire.sendDeparted(node, 'ping', nonce, sentAt);
        else if (peer !== null) peer.wire.sendDeparted(peer.node, 'pong', nonce, arrives);
      }
    }
    for (const e of this.ends) if (e !== null) e.owner.refreshTimer(e.node);
  }
}

/**
 * The world's ping links, shared by all its nodes. Each node life plugs in `keepAliveFor(transport)`
 * as its KeepAlive port; the world calls `materializeAll` before it installs a fault rule.
 */
export class PingHub {
  private readonly links = new Map<number, PingLink>();

  /** The KeepAlive port of a node whose connections run over `transport`. */
  keepAliveFor(transport: SimTransport): KeepAlive {
    const wire: PingWire = {
      sendDeparted: (node, type, nonce, departedMicros) => {
        transport.sendDeparted(node.conn, type === 'ping' ? pingMessage(nonce) : pongMessage(nonce), departedMicros);
      },
    };
    return {
      adopt: (node, owner) => {
        const path = transport.fixedPath(node.conn);
        if (path === undefined) return null;
        return new PingLinkEnd(this, this.register(path.key, { node, owner, wire }), node, transport);
      },
    };
  }

  /** Registers `end` (its handshake completed) under the link key; returns the link. */
  register(key: number, end: PingEnd): PingLink {
    let link = this.links.get(key);
    if (link === undefined) {
      link = new PingLink(key);
      this.links.set(key, link);
    }
    if (link.ends[0] === null) link.ends[0] = end;
    else if (link.ends[1] === null) link.ends[1] = end;
    else throw new Error(`ping link ${key} already has two ends`);
    return link;
  }

  /** Removes `node`'s end (handing the link back to the message path first). */
  unregister(link: PingLink, node: Node, now: Micros): void {
    link.materialize(now);
    link.ends[link.sideOf(node)] = null;
    if (link.ends[0] === null && link.ends[1] === null) this.links.delete(link.key);
  }

  /** Hands every link back to the message path (before a fault rule changes the network). */
  materializeAll(now: Micros): void {
    for (const link of this.links.values()) link.materialize(now);
  }
}

/** One node's side of a ping link, as the Connman holds it (Node.keepAlive). */
class PingLinkEnd implements KeepAliveLink {
  constructor(
    private readonly hub: PingHub,
    private readonly link: PingLink,
    private readonly node: Node,
    private readonly transport: SimTransport,
  ) {}

  ownsPings(): boolean {
    return this.link.ownActive(this.node);
  }

  /** Starts this side's pings on the link if the other end is a handshaken node and the path is still fixed. */
  startPings(now: Micros, periodMicros: Micros): boolean {
    const side = this.link.sideOf(this.node);
    const peer = this.link.ends[side === 0 ? 1 : 0];
    if (peer === null || !peer.node.successfullyConnected || peer.node.disconnect || peer.node.version <= BIP0031_VERSION) return false;
    const path = this.transport.fixedPath(this.node.conn);
    if (path === undefined) return false;
    this.link.start(side, now, periodMicros, path.outMicros, path.backMicros);
    return true;
  }

  settle(now: Micros): void {
    this.link.settle(this.link.sideOf(this.node), now);
  }

  release(now: Micros): void {
    this.link.materialize(now);
  }

  detach(now: Micros): void {
    this.hub.unregister(this.link, this.node, now);
  }
}
