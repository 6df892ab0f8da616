// AddrFlooder: attacker hosts connect to a target (the target sees inbound peers), complete the
// handshake, then send ADDR / ADDRV2 messages full of attacker-chosen addresses at a chosen rate,
// with chosen timestamps and services. It fills a victim's new table with attacker addresses
// (Heilman et al.'s first step) and measures Core's addr token bucket (0.1 address per second per
// peer, MAX_ADDR_PROCESSING_TOKEN_BUCKET cap): the victim's 'addr-received' events say how many
// entries it processed and how many it dropped. Optionally it also listens, and answers a
// victim's GETADDR (the solicited case, where the victim grants 1000 extra tokens).
// It does not hold inbound slots for their own sake (inbound-sybils.ts).

import type { SlotTiming } from './actor.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import { MAX_ADDR_TO_SEND } from '../../connman/protocol/messages.ts';
import type { HandlerKind, Micros, SocketId } from '../../sim/index.ts';
import { ActorAttacker, ATTACKER_DEFAULT_PORT, defaultBehaviour, P2PActor, slotPlan, type ActorConn, type HostStyle } from './actor.ts';
import { AddrBook } from './addr-book.ts';
import { AttackerSpecError, resolveAddresses, type AddressSource, type AttackerEnv } from './attacker-env.ts';

export interface AddrFloodSpec extends AddressSource, SlotTiming {
  kind: 'addr-flood';
  name?: string;
  /** The node(s) to flood (their listening service). */
  targets: readonly Service[];
  /** Default 'botnet'. */
  hostStyle?: HostStyle;
  /** Source addresses default: 1 (count). Connections per source address per target, default 1. */
  connectionsPerAddress?: number;
  /** The advertised addresses. Default: `advertiseCount` freshly allocated ones (nobody hosts them). */
  advertise?: readonly NetAddr[];
  /** Used when `advertise` is absent. Default 1000. */
  advertiseCount?: number;
  /** Port of the advertised addresses. Default 8333. */
  advertisePort?: number;
  /** Messages per second on each connection (may be fractional). Default 1. */
  messagesPerSecond?: number;
  /** Entries per message, 1..1000. Default 1000 (capped at the number of advertised addresses). */
  entriesPerMessage?: number;
  /** Timestamps: now − age − uniform[0, jitter) seconds. Defaults 0 and 0 ("now"). */
  timestampAgeSeconds?: number;
  timestampJitterSeconds?: number;
  /** Services of the advertised addresses. Default NODE_NETWORK | NODE_WITNESS. */
  services?: number;
  /** Listen too, and answer a victim's GETADDR with a full message (solicited). Default false. */
  listen?: boolean;
  /** Only ever send unsolicited messages: never answer GETADDR. Default false. */
  unsolicitedOnly?: boolean;
  /** First connect after this delay. Default 0. */
  startDelayMicros?: Micros;
  /** Reconnect this long after a connection ends. Default: never. */
  reconnectDelayMicros?: Micros;
  /** Stop flooding (connections stay open) after this long from the first message. Default: never. */
  floodForMicros?: Micros;
}

export class AddrFlooder extends ActorAttacker {
  override readonly name: string;
  override readonly kind = 'addr-flood';
  override readonly actor: P2PActor;
  private readonly book: AddrBook;
  private readonly periodMicros: Micros;
  private readonly kindFlood: HandlerKind;
  private readonly floodUntil: Map<SocketId, Micros> = new Map();

  constructor(
    private readonly env: AttackerEnv,
    private readonly spec: AddrFloodSpec,
  ) {
    super();
    this.name = spec.name ?? 'attacker';
    const what = `${this.name} (addr-flood)`;
    if (spec.targets.length === 0 && spec.listen !== true) throw new AttackerSpecError(`${what}: needs targets or listen`);
    const rate = spec.messagesPerSecond ?? 1;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new AttackerSpecError(`${what}: messagesPerSecond must be > 0, got ${rate}`);
    this.periodMicros = Math.max(1, Math.round(1_000_000 / rate));
    const addresses = resolveAddresses(env, spec, 1, what);
    const advertised = spec.advertise !== undefined ? [...spec.advertise] : resolveAddresses(env, { count: spec.advertiseCount ?? 1000 }, 1000, `${what} advertised`);
    const per = spec.entriesPerMessage ?? MAX_ADDR_TO_SEND;
    if (!Number.isInteger(per) || per < 1 || per > MAX_ADDR_TO_SEND) throw new AttackerSpecError(`${what}: entriesPerMessage must be in 1..${MAX_ADDR_TO_SEND}, got ${per}`);
    const behaviour = defaultBehaviour();
    this.book = new AddrBook(
      {
        addresses: advertised,
        port: spec.advertisePort ?? ATTACKER_DEFAULT_PORT,
        services: spec.services ?? behaviour.services,
        entriesPerMessage: Math.min(per, advertised.length),
        timestampAgeSeconds: spec.timestampAgeSeconds ?? 0,
        timestampJitterSeconds: spec.timestampJitterSeconds ?? 0,
        refreshSeconds: 60,
      },
      env.rng.fork('addr-book'),
    );
    this.kindFlood = env.kernel.register((socket) => this.flood(socket), 'attacker.addr-flood.send');
    this.actor = new P2PActor(env, {
      name: this.name,
      kind: this.kind,
      addresses,
      hostStyle: spec.hostStyle ?? 'botnet',
      listen: spec.listen ?? false,
      port: ATTACKER_DEFAULT_PORT,
      behaviour,
      slots: slotPlan(spec.targets, spec, { connectIntervalMicros: 0, reconnectDelayMicros: spec.reconnectDelayMicros, holdMicros: undefined, holdFrom: 'handshake' }),
      hooks: {
        onHandshake: (c) => this.startFlood(c),
        getAddrAnswer: () => (spec.unsolicitedOnly === true ? undefined : this.book.next(env.timeSeconds()).v1.addresses),
        onClosed: (c) => this.floodUntil.delete(c.socket),
      },
    });
  }

  private startFlood(c: ActorConn): void {
    const limit = this.spec.floodForMicros;
    this.floodUntil.set(c.socket, limit === undefined ? Infinity : this.env.kernel.now() + limit);
    this.flood(c.socket);
  }

  /** Sends the next message on one connection and schedules the one after. */
  private flood(socket: SocketId): void {
    const until = this.floodUntil.get(socket);
    const c = this.actor.conns.get(socket);
    if (until === undefined || c === undefined || c.closed || this.actor.isStopped) return;
    if (this.env.kernel.now() > until) {
      this.floodUntil.delete(socket);
      return;
    }
    const m = this.book.next(this.env.timeSeconds());
    this.actor.sendAddrs(c, m.v1, m.v2);
    this.env.kernel.after(this.periodMicros, this.kindFlood, socket);
  }

}
