// InboundSybils: attacker addresses that open and hold as many inbound connections to a target as
// they can. Mode 'hold' completes the handshake, answers pings and stays (optionally announcing
// attacker addresses once); when the victim closes a connection (eviction, or refusal when full)
// the slot reconnects after a short delay, so the pressure on the victim's inbound slots never
// lets up. Mode 'churn' also closes each connection itself after an exponential holding time and
// reconnects. Spreading the addresses over many /16s (the default allocation gives one /16 per
// address) defeats the netgroup protection of Core's eviction (SelectNodeToEvict keeps the peers
// of the 4 most distinct netgroups), which a Sybil swarm in one /16 cannot beat.
// Counters: attempts, connected (TCP), handshakes (accepted by the victim), rejectedBeforeHandshake
// (closed by the victim before its VERACK, e.g. no eviction candidate), closedByVictim (after the
// handshake: evicted or timed out), closedBySelf (churn). It does not flood (addr-flooder.ts).

import type { SlotTiming } from './actor.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import type { Micros } from '../../sim/index.ts';
import { seconds } from '../../sim/index.ts';
import { ActorAttacker, ATTACKER_DEFAULT_PORT, defaultBehaviour, P2PActor, slotPlan, type HostStyle } from './actor.ts';
import { AddrBook } from './addr-book.ts';
import { AttackerSpecError, resolveAddresses, type AddressSource, type AttackerEnv } from './attacker-env.ts';
import { MAX_ADDR_TO_SEND } from '../../connman/protocol/messages.ts';

export interface InboundSybilsSpec extends AddressSource, SlotTiming {
  kind: 'inbound-sybils';
  name?: string;
  targets: readonly Service[];
  /** 'hold' (default) or 'churn'. */
  mode?: 'hold' | 'churn';
  /** Mean of the exponential holding time in 'churn' mode. Default 10 minutes. */
  meanHoldMicros?: Micros;
  /** Default 'botnet'. Default address count 50, one /16 each. */
  hostStyle?: HostStyle;
  /** Connections per source address per target. Default 1. */
  connectionsPerAddress?: number;
  /** Delay before a slot reconnects after its connection ended. Default 1 s; null: never reconnect (one pass). */
  reconnectDelayMicros?: Micros | null;
  /**
   * Also listen on port 8333 on every address and behave politely when a victim connects out to us,
   * answering its GETADDR with our own addresses (as AttackerListeners do). Default false.
   */
  listen?: boolean;
  /** Name our own address in VERSION's addr_from (see PeerBehaviour.announceSelfInVersion). Default false. */
  announceSelfInVersion?: boolean;
  /** Spacing of the first connects. Default 100 ms. */
  connectIntervalMicros?: Micros;
  startDelayMicros?: Micros;
  /** fRelay in VERSION. Default false (block-relay-only inbound: outside Core's tx-relay inbound cap). */
  relay?: boolean;
  /** Answer pings (default true). */
  answerPings?: boolean;
  /** Send our own pings this often (default 3 minutes: the victim hears from us before its 20-minute timeouts). */
  keepAliveMicros?: Micros;
  /** Relay these addresses once after each handshake (one message; default none: keep quiet). */
  advertise?: readonly NetAddr[];
}

export const INBOUND_SYBILS_DEFAULT_COUNT = 50;

export class InboundSybils extends ActorAttacker {
  override readonly name: string;
  override readonly kind = 'inbound-sybils';
  override readonly actor: P2PActor;

  constructor(env: AttackerEnv, spec: InboundSybilsSpec) {
    super();
    this.name = spec.name ?? 'attacker';
    const what = `${this.name} (inbound-sybils)`;
    if (spec.targets.length === 0) throw new AttackerSpecError(`${what}: needs at least one target`);
    const addresses = resolveAddresses(env, spec, INBOUND_SYBILS_DEFAULT_COUNT, what);
    const behaviour = defaultBehaviour();
    behaviour.relay = spec.relay ?? false;
    behaviour.answerPings = spec.answerPings ?? true;
    behaviour.keepAliveMicros = spec.keepAliveMicros ?? seconds(180);
    behaviour.announceSelfInVersion = spec.announceSelfInVersion ?? false;
    const mode = spec.mode ?? 'hold';
    const holdRng = env.rng.fork('hold');
    const mean = spec.meanHoldMicros ?? seconds(600);
    if (mode === 'churn' && !(mean > 0)) throw new AttackerSpecError(`${what}: meanHoldMicros must be > 0`);
    const advertise = spec.advertise ?? [];
    const book =
      advertise.length === 0
        ? undefined
        : new AddrBook(
            {
              addresses: advertise,
              port: ATTACKER_DEFAULT_PORT,
              services: behaviour.services,
              entriesPerMessage: Math.min(MAX_ADDR_TO_SEND, advertise.length),
              timestampAgeSeconds: 0,
              timestampJitterSeconds: 0,
              refreshSeconds: 60,
            },
            env.rng.fork('addr-book'),
          );
    const ownBook =
      spec.listen === true
        ? new AddrBook(
            {
              addresses,
              port: ATTACKER_DEFAULT_PORT,
              services: behaviour.services,
              entriesPerMessage: Math.min(MAX_ADDR_TO_SEND, addresses.length),
              timestampAgeSeconds: 0,
              timestampJitterSeconds: 0,
              refreshSeconds: 60,
            },
            env.rng.fork('own-book'),
          )
        : undefined;
    this.actor = new P2PActor(env, {
      name: this.name,
      kind: this.kind,
      addresses,
      hostStyle: spec.hostStyle ?? 'botnet',
      listen: spec.listen ?? false,
      port: ATTACKER_DEFAULT_PORT,
      behaviour,
      slots: slotPlan(spec.targets, spec, {
        reconnectDelayMicros: spec.reconnectDelayMicros === null ? undefined : (spec.reconnectDelayMicros ?? seconds(1)),
        holdMicros: mode === 'churn' ? () => Math.max(1, holdRng.randExpDurationMicros(mean)) : undefined,
        holdFrom: 'handshake',
      }),
      hooks: {
        getAddrAnswer: () => (ownBook === undefined ? undefined : ownBook.next(env.timeSeconds()).v1.addresses),
        onHandshake: (c) => {
          if (book === undefined) return;
          const m = book.next(env.timeSeconds());
          this.actor.sendAddrs(c, m.v1, m.v2);
        },
      },
    });
  }

}
