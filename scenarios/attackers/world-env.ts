// An AttackerEnv over a World: the world's kernel, network and clock, a stream forked from the
// world's seed under the attacker's label, and hosts and addresses from the world when it offers
// them (addExternalHost / allocateAddresses), else plain network hosts and the attacker's own
// address draws (attacker-env.ts). It holds no attacker logic.

import type { NetAddr } from '../../connman/netaddress.ts';
import type { HostId } from '../../sim/index.ts';
import { simAddressOf } from '../address-plan.ts';
import type { World } from '../world.ts';
import type { AddressSpread, AttackerEnv } from './attacker-env.ts';

/** World methods that a newer World may have; used when present. */
interface WorldAllocators {
  allocateAddresses?(count: number, spread?: AddressSpread): NetAddr[];
  addExternalHost?(addresses: readonly NetAddr[], opts?: { region?: number }): HostId;
}

/** The env for the attacker labelled `label` (e.g. "attacker-0"). */
export function attackerEnvFromWorld(world: World, label: string): AttackerEnv {
  const w = world as World & WorldAllocators;
  const env: AttackerEnv = {
    kernel: world.kernel,
    network: world.network,
    rng: world.rng.fork(`attacker/${label}`),
    timeSeconds: () => Math.floor(world.clock.nowMicros() / 1_000_000),
    addHost: (addresses) =>
      w.addExternalHost !== undefined ? w.addExternalHost(addresses, { region: 0 }) : world.network.addHost({ addresses: addresses.map(simAddressOf), region: 0 }),
  };
  if (w.allocateAddresses !== undefined) env.allocateAddresses = (count, spread) => w.allocateAddresses!(count, spread);
  return env;
}
