// SilentPeers: black holes. They connect to targets (the targets see inbound peers) and/or listen
// for the victims' outbound connections, and never send a single byte: no VERSION, no pong,
// nothing. They exercise Core's handshake and inactivity timeouts (a connection that has neither
// sent nor received after -peertimeout, 60 s, is dropped with "socket no message"), and they tie
// up slots until then. Optionally a slot reconnects after the victim drops it (slowloris).
// Counters as actor.ts: attempts, connected, accepted (victim connected to us),
// rejectedBeforeHandshake (every victim close: there is never a handshake). It speaks no protocol.

import type { SlotTiming } from './actor.ts';
import type { Service } from '../../connman/protocol/netaddress.ts';
import type { Micros } from '../../sim/index.ts';
import { ActorAttacker, ATTACKER_DEFAULT_PORT, defaultBehaviour, P2PActor, slotPlan, type HostStyle } from './actor.ts';
import { AttackerSpecError, resolveAddresses, sortedStats, type AddressSource, type AttackerEnv } from './attacker-env.ts';

export interface SilentPeersSpec extends AddressSource, SlotTiming {
  kind: 'silent';
  name?: string;
  /** Nodes to connect to (default none). */
  targets?: readonly Service[];
  /** Listen on 8333 and accept victims' outbound connections (default: true when there are no targets). */
  listen?: boolean;
  /** Default 'botnet'. Default address count 10. */
  hostStyle?: HostStyle;
  connectionsPerAddress?: number;
  /** Reconnect this long after the victim drops a connection. Default: never. */
  reconnectDelayMicros?: Micros;
  connectIntervalMicros?: Micros;
  startDelayMicros?: Micros;
}

export const SILENT_PEERS_DEFAULT_COUNT = 10;

export class SilentPeers extends ActorAttacker {
  override readonly name: string;
  override readonly kind = 'silent';
  override readonly actor: P2PActor;
  private lifetimeTotalMicros = 0;
  private lifetimes = 0;

  constructor(env: AttackerEnv, spec: SilentPeersSpec) {
    super();
    this.name = spec.name ?? 'attacker';
    const what = `${this.name} (silent)`;
    const targets = spec.targets ?? [];
    const listen = spec.listen ?? targets.length === 0;
    if (targets.length === 0 && !listen) throw new AttackerSpecError(`${what}: needs targets or listen`);
    const addresses = resolveAddresses(env, spec, SILENT_PEERS_DEFAULT_COUNT, what);
    const behaviour = defaultBehaviour();
    behaviour.silent = true;
    behaviour.answerPings = false;
    this.actor = new P2PActor(env, {
      name: this.name,
      kind: this.kind,
      addresses,
      hostStyle: spec.hostStyle ?? 'botnet',
      listen,
      port: ATTACKER_DEFAULT_PORT,
      behaviour,
      slots: slotPlan(targets, spec, { reconnectDelayMicros: spec.reconnectDelayMicros, holdMicros: undefined, holdFrom: 'connect' }),
      hooks: {
        onClosed: (c, byVictim) => {
          if (!byVictim) return;
          this.lifetimeTotalMicros += env.kernel.now() - c.openedMicros;
          this.lifetimes++;
        },
      },
    });
  }

  /** The actor's counters plus `meanLifetimeMs`: how long the victim put up with a black hole. */
  override stats(): Record<string, number> {
    const m = new Map<string, number>();
    for (const [k, v] of Object.entries(this.actor.stats())) m.set(k, v);
    m.set('meanLifetimeMs', this.lifetimes === 0 ? 0 : Math.round(this.lifetimeTotalMicros / this.lifetimes / 1000));
    return sortedStats(m);
  }
}
