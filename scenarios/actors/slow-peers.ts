// SlowPeers: peers that complete the handshake and then stop answering pings, or answer them only
// after a long delay. They send pings of their own (keep-alive) so that the victim's send and
// receive sides stay active, which leaves Core's ping timeout (20 minutes without the pong to an
// outstanding ping) as the rule that must catch them; a delay below that only inflates their
// measured ping time (and costs them the low-ping protection of eviction). They connect to
// targets (inbound at the victim) and/or listen for the victims' outbound connections.
// Counters as actor.ts (pingsReceived, pongsSent, closedByVictim ...). No address relay.

import type { SlotTiming } from './actor.ts';
import type { Service } from '../../connman/protocol/netaddress.ts';
import type { Micros } from '../../sim/index.ts';
import { seconds } from '../../sim/index.ts';
import { ActorAttacker, ATTACKER_DEFAULT_PORT, defaultBehaviour, P2PActor, slotPlan, type HostStyle } from './actor.ts';
import { AttackerSpecError, resolveAddresses, type AddressSource, type AttackerEnv } from './attacker-env.ts';

export interface SlowPeersSpec extends AddressSource, SlotTiming {
  kind: 'slow';
  name?: string;
  targets?: readonly Service[];
  /** Listen on 8333 (default: true when there are no targets). */
  listen?: boolean;
  /** Default 'botnet'. Default address count 10. */
  hostStyle?: HostStyle;
  connectionsPerAddress?: number;
  /** Answer pings this late; undefined (default): never answer them. */
  pongDelayMicros?: Micros;
  /** Our own pings, default every 3 minutes. */
  keepAliveMicros?: Micros;
  /** fRelay in VERSION. Default false (outside the tx-relay inbound cap). */
  relay?: boolean;
  reconnectDelayMicros?: Micros;
  connectIntervalMicros?: Micros;
  startDelayMicros?: Micros;
}

export const SLOW_PEERS_DEFAULT_COUNT = 10;

export class SlowPeers extends ActorAttacker {
  override readonly name: string;
  override readonly kind = 'slow';
  override readonly actor: P2PActor;

  constructor(env: AttackerEnv, spec: SlowPeersSpec) {
    super();
    this.name = spec.name ?? 'attacker';
    const what = `${this.name} (slow)`;
    const targets = spec.targets ?? [];
    const listen = spec.listen ?? targets.length === 0;
    if (targets.length === 0 && !listen) throw new AttackerSpecError(`${what}: needs targets or listen`);
    const addresses = resolveAddresses(env, spec, SLOW_PEERS_DEFAULT_COUNT, what);
    const behaviour = defaultBehaviour();
    behaviour.answerPings = spec.pongDelayMicros !== undefined;
    behaviour.pongDelayMicros = spec.pongDelayMicros ?? 0;
    behaviour.keepAliveMicros = spec.keepAliveMicros ?? seconds(180);
    behaviour.relay = spec.relay ?? false;
    this.actor = new P2PActor(env, {
      name: this.name,
      kind: this.kind,
      addresses,
      hostStyle: spec.hostStyle ?? 'botnet',
      listen,
      port: ATTACKER_DEFAULT_PORT,
      behaviour,
      slots: slotPlan(targets, spec, { reconnectDelayMicros: spec.reconnectDelayMicros, holdMicros: undefined, holdFrom: 'handshake' }),
    });
  }

}
