// The attacker factory for the scenario DSL: an AttackerSpec is plain data (a discriminated union
// on `kind`, every field but the kind and the targets optional with documented defaults), and
// createAttacker builds and starts the matching actor. Defaults, per kind:
//   listeners       100 addresses (one /16 each), botnet hosts, port 8333, GETADDR answered with
//                   our own addresses stamped "now", no keep-alive.
//   addr-flood      1 source address, 1 connection per target, 1000 advertised fresh addresses,
//                   1 message/s of 1000 entries stamped "now", NODE_NETWORK|NODE_WITNESS, no
//                   listening, no reconnect.
//   inbound-sybils  50 addresses (one /16 each), 1 connection each per target, mode 'hold',
//                   reconnect 1 s after a close, connects spaced 100 ms, fRelay false, keep-alive
//                   3 min; churn mode holds Exp(10 min).
//   silent          10 addresses, listening when no targets are given, never reconnects.
//   slow            10 addresses, never answers pings, keep-alive 3 min, fRelay false.
// It holds no protocol logic (actor.ts) and does not allocate names (the runner names attackers).

import { AddrFlooder, type AddrFloodSpec } from './addr-flooder.ts';
import type { Attacker, AttackerEnv } from './attacker-env.ts';
import { AttackerSpecError } from './attacker-env.ts';
import { InboundSybils, type InboundSybilsSpec } from './inbound-sybils.ts';
import { AttackerListeners, type ListenersSpec } from './listeners.ts';
import { SilentPeers, type SilentPeersSpec } from './silent-peers.ts';
import { SlowPeers, type SlowPeersSpec } from './slow-peers.ts';

export type AttackerSpec = ListenersSpec | AddrFloodSpec | InboundSybilsSpec | SilentPeersSpec | SlowPeersSpec;
export type AttackerKind = AttackerSpec['kind'];

export const ATTACKER_KINDS: readonly AttackerKind[] = ['listeners', 'addr-flood', 'inbound-sybils', 'silent', 'slow'];

/** Builds the attacker a spec describes and starts it (pass `start: false` to start it later). */
export function createAttacker(env: AttackerEnv, spec: AttackerSpec, options: { start?: boolean } = {}): Attacker {
  let a: Attacker;
  switch (spec.kind) {
    case 'listeners':
      a = new AttackerListeners(env, spec);
      break;
    case 'addr-flood':
      a = new AddrFlooder(env, spec);
      break;
    case 'inbound-sybils':
      a = new InboundSybils(env, spec);
      break;
    case 'silent':
      a = new SilentPeers(env, spec);
      break;
    case 'slow':
      a = new SlowPeers(env, spec);
      break;
    default: {
      const never: never = spec;
      throw new AttackerSpecError(`unknown attacker kind "${(never as { kind: string }).kind}" (known: ${ATTACKER_KINDS.join(', ')})`);
    }
  }
  if (options.start ?? true) a.start();
  return a;
}
