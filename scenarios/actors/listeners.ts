// AttackerListeners: attacker-owned addresses that listen on the P2P port and behave as polite
// peers when an honest node connects out to them: the full VERSION / VERACK handshake, pongs,
// GETADDR answered with attacker addresses, optional keep-alive pings, and the connection held
// for as long as the victim keeps it. This is what makes an eclipse stick: once the victim's
// AddrMan is full of attacker addresses, its outbound connections land here and stay.
// Botnet style puts each address on its own host; infrastructure style puts them all on one.
// It does not flood addresses unsolicited (addr-flooder.ts) or connect to anyone.

import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import type { Address } from '../../connman/protocol/protocol.ts';
import type { Micros } from '../../sim/index.ts';
import { ActorAttacker, ATTACKER_DEFAULT_PORT, defaultBehaviour, P2PActor, type HostStyle } from './actor.ts';
import { AddrBook } from './addr-book.ts';
import { resolveAddresses, type AddressSource, type AttackerEnv } from './attacker-env.ts';
import { MAX_ADDR_TO_SEND } from '../../connman/protocol/messages.ts';

export interface ListenersSpec extends AddressSource {
  kind: 'listeners';
  name?: string;
  /** Default 'botnet' (one host per address). */
  hostStyle?: HostStyle;
  /** Default 8333. */
  port?: number;
  /**
   * What a GETADDR gets: 'own' (default: up to 1000 of our own listening addresses), 'none', or
   * these addresses (up to 1000 per answer).
   */
  getAddrAnswer?: 'own' | 'none' | readonly NetAddr[];
  /** Timestamp age of answered addresses, seconds (default 0: "now"). */
  timestampAgeSeconds?: number;
  /** Services in VERSION and in answered addresses. Default NODE_NETWORK | NODE_WITNESS. */
  services?: number;
  /** Send our own pings this often after the handshake (default: never; the victim's pings keep it alive). */
  keepAliveMicros?: Micros;
}

/** Default number of listening addresses when the spec gives neither addresses nor count. */
export const LISTENERS_DEFAULT_COUNT = 100;

export class AttackerListeners extends ActorAttacker {
  override readonly name: string;
  override readonly kind = 'listeners';
  override readonly actor: P2PActor;
  private readonly book: AddrBook | undefined;

  constructor(
    private readonly env: AttackerEnv,
    spec: ListenersSpec,
  ) {
    super();
    this.name = spec.name ?? 'attacker';
    const addresses = resolveAddresses(env, spec, LISTENERS_DEFAULT_COUNT, `${this.name} (listeners)`);
    const behaviour = defaultBehaviour();
    if (spec.services !== undefined) behaviour.services = spec.services;
    behaviour.keepAliveMicros = spec.keepAliveMicros;
    const port = spec.port ?? ATTACKER_DEFAULT_PORT;
    const answer = spec.getAddrAnswer ?? 'own';
    const advertised = answer === 'own' ? addresses : answer === 'none' ? [] : [...answer];
    if (advertised.length > 0) {
      this.book = new AddrBook(
        {
          addresses: advertised,
          port,
          services: behaviour.services,
          entriesPerMessage: Math.min(MAX_ADDR_TO_SEND, advertised.length),
          timestampAgeSeconds: spec.timestampAgeSeconds ?? 0,
          timestampJitterSeconds: 0,
          refreshSeconds: 60,
        },
        env.rng.fork('addr-book'),
      );
    }
    this.actor = new P2PActor(env, {
      name: this.name,
      kind: this.kind,
      addresses,
      hostStyle: spec.hostStyle ?? 'botnet',
      listen: true,
      port,
      behaviour,
      slots: undefined,
      hooks: { getAddrAnswer: () => this.answer() },
    });
  }

  /** One answer per GETADDR; successive answers walk through the advertised list. */
  private answer(): readonly Address[] | undefined {
    return this.book?.next(this.env.timeSeconds()).v1.addresses;
  }

}
