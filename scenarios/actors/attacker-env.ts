// What an attacker actor needs from the world it runs in (AttackerEnv), the facade every attacker
// shows to scenario scripts (Attacker), and how an attacker's own addresses are obtained: given
// explicitly, allocated by the world, or, when the world offers no allocator, drawn from the
// attacker's own random stream. It holds no protocol logic (see actor.ts) and no attack kinds
// (see the per-kind files and create-attacker.ts).

import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import { NetAddr as NetAddrClass } from '../../connman/protocol/netaddress.ts';
import type { HostId, Kernel, Network, Rng as SimRng } from '../../sim/index.ts';
import type { P2PMessage } from '../../connman/protocol/messages.ts';
import { Ipv4AddressPlan, simAddressOf } from '../world/address-plan.ts';

/** How allocated addresses are spread: over k fresh /16s, or inside k ASNs of the world's AS model. */
export interface AddressSpread {
  /** Spread the addresses over this many distinct fresh /16s (default: one /16 per address). */
  slash16s?: number;
  /** Put the addresses inside this many ASNs (needs a world with an AS model). */
  asns?: number;
  /** With `asns`: how many /16s to use inside each ASN. */
  slash16sPerAsn?: number;
}

/** The world as an attacker sees it. Every attacker gets its own forked `rng`. */
export interface AttackerEnv {
  kernel: Kernel;
  network: Network<P2PMessage>;
  /** The attacker's own stream (forked by label from the run's seed). */
  rng: SimRng;
  /** Adjusted unix time in whole seconds (what a node's clock says). */
  timeSeconds(): number;
  /** A new sim host owning these addresses; the attacker installs its own handlers. */
  addHost(addresses: readonly NetAddr[]): HostId;
  /** Fresh addresses no other host uses (optional: without it the attacker draws its own). */
  allocateAddresses?(count: number, spread?: AddressSpread): NetAddr[];
}

/** What a scenario script sees of any attacker. */
export interface Attacker {
  /** Role name, e.g. "attacker-0". */
  readonly name: string;
  /** The spec kind this attacker was built from. */
  readonly kind: string;
  /** Every address the attacker owns (hosts it runs), in allocation order. */
  addresses(): NetAddr[];
  /** Counters of what it did, keys sorted. */
  stats(): Record<string, number>;
  /** Starts acting (listening, connecting). Idempotent. */
  start(): void;
  /** Closes every connection, stops listening, cancels every timer. Idempotent. */
  stop(): void;
}

/** Where an attacker's own addresses come from; every kind's spec includes these fields. */
export interface AddressSource {
  /** Explicit addresses (then count and spread are ignored). */
  addresses?: readonly NetAddr[];
  /** How many addresses to allocate (each kind documents its default). */
  count?: number;
  /** How to spread allocated addresses (default: one fresh /16 per address). */
  spread?: AddressSpread;
}

export class AttackerSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttackerSpecError';
  }
}

/** Resolves an AddressSource to concrete addresses (see AddressSource). */
export function resolveAddresses(env: AttackerEnv, src: AddressSource, defaultCount: number, what: string): NetAddr[] {
  if (src.addresses !== undefined) {
    if (src.addresses.length === 0) throw new AttackerSpecError(`${what}: addresses is empty`);
    return [...src.addresses];
  }
  const count = src.count ?? defaultCount;
  if (!Number.isInteger(count) || count < 1) throw new AttackerSpecError(`${what}: count must be a positive integer, got ${count}`);
  if (env.allocateAddresses !== undefined) return env.allocateAddresses(count, src.spread);
  return fallbackAllocate(env, count, src.spread, what);
}

/**
 * Without a world allocator: IPv4 addresses from the attacker's own stream, skipping any address a
 * host already owns. /16s are fresh with respect to this attacker only (an honest node may share
 * one); ASN spreads need the world's AS model and are refused.
 */
function fallbackAllocate(env: AttackerEnv, count: number, spread: AddressSpread | undefined, what: string): NetAddr[] {
  if (spread?.asns !== undefined) throw new AttackerSpecError(`${what}: an ASN spread needs a world with an AS model (allocateAddresses)`);
  const groups = Math.min(count, spread?.slash16s ?? count);
  if (!Number.isInteger(groups) || groups < 1) throw new AttackerSpecError(`${what}: spread.slash16s must be a positive integer`);
  const rng = env.rng.fork('fallback-addresses');
  const plan = new Ipv4AddressPlan(rng);
  const taken = new Set<number>();
  const free = (v: number): boolean => !taken.has(v) && env.network.hostOf(simAddressOf(NetAddrClass.fromIPv4(v))) === undefined;
  const values: number[] = [];
  while (values.length < groups) {
    const v = plan.nextValue();
    if (!free(v)) continue;
    taken.add(v);
    values.push(v);
  }
  for (let i = groups; i < count; i++) {
    const s16 = (values[i % groups]! >>> 16) << 16;
    for (;;) {
      const v = (s16 + rng.randrange(256) * 256 + 1 + rng.randrange(254)) >>> 0;
      if (!free(v)) continue;
      taken.add(v);
      values.push(v);
      break;
    }
  }
  return values.map((v) => NetAddrClass.fromIPv4(v));
}

/** Counters as a plain object with sorted keys. */
export function sortedStats(counters: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...counters.keys()].sort()) out[k] = counters.get(k)!;
  return out;
}
