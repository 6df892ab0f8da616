// An AttackerEnv over a World: the world's kernel, network and clock, a stream forked from the
// world's seed under the attacker's label, hosts from world.addExternalHost and fresh addresses
// from world.allocateAddresses (so attacker addresses never collide with honest ones and can be
// placed in chosen /16s or ASNs). It holds no attacker logic.

import type { World } from '../world/world.ts';
import type { AttackerEnv } from './attacker-env.ts';

/** The env for the attacker labelled `label` (e.g. "attacker-0"). */
export function attackerEnvFromWorld(world: World, label: string): AttackerEnv {
  return {
    kernel: world.kernel,
    network: world.network,
    rng: world.rng.fork(`attacker/${label}`),
    timeSeconds: () => Math.floor(world.clock.nowMicros() / 1_000_000),
    addHost: (addresses) => world.addExternalHost(addresses, { region: 0 }),
    allocateAddresses: (count, spread) => {
      if (spread === undefined) return world.allocateAddresses(count);
      if (spread.asns !== undefined) return world.allocateAddresses(count, { asns: spread.asns, ...(spread.slash16sPerAsn !== undefined ? { slash16sPerAsn: spread.slash16sPerAsn } : {}) });
      if (spread.slash16s !== undefined) return world.allocateAddresses(count, { slash16s: spread.slash16s });
      return world.allocateAddresses(count);
    },
  };
}
