// Puts a gateway (gateway.ts) into a simulated world and paces the world in real time
// (realtime.ts): the outside node gets a fresh address of the world's plan, on a host of its own,
// and every outside event is injected after the world caught up with the wall clock.
// It starts no process and opens no listener but the gateway's SOCKS5 server (when asked).

import { Service } from '../connman/protocol/netaddress.ts';
import type { World } from '../scenarios/world/world.ts';
import type { Micros } from '../sim/index.ts';
import { Gateway, type OutsideEndpoint } from './gateway.ts';
import { RealTimePacer, pacedKernel, type PacerOptions } from './realtime.ts';

export interface WorldBridgeOptions {
  /** The outside node's listening port in the world (default 8333: the world's nodes all use it). */
  port?: number;
  magic: Uint8Array;
  outside: OutsideEndpoint | null;
  log(line: string): void;
  pacer?: Omit<PacerOptions, 'endMicros'> & { endMicros?: Micros };
}

export interface WorldBridge {
  gateway: Gateway;
  pacer: RealTimePacer;
  /** The outside node's address in the world. */
  address: Service;
}

/** Adds the outside node's host and gateway to `world`; the pacer is made but not started. */
export function bridgeWorld(world: World, o: WorldBridgeOptions): WorldBridge {
  const [addr] = world.allocateAddresses(1);
  const address = Service.of(addr!, o.port ?? 8333);
  const host = world.addExternalHost([addr!]);
  let pacer: RealTimePacer | undefined;
  const gateway = new Gateway({
    kernel: world.kernel,
    network: world.network,
    host,
    address,
    magic: o.magic,
    outside: o.outside,
    catchUp: () => pacer?.catchUp(),
    log: o.log,
  });
  pacer = new RealTimePacer(pacedKernel(world.kernel), o.pacer ?? {});
  return { gateway, pacer, address };
}
