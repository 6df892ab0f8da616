// Core's own keep-alive path: every automatic ping and pong is a message (net_processing.cpp
// MaybeSendPing / ProcessMessage "pong"). This is the KeepAlive a node gets unless its world plugs
// in a shortcut (ports.ts KeepAlive; the simulator's analytic ping path lives in scenarios/host/).

import type { KeepAlive } from '../ports.ts';

/** The KeepAlive that adopts no connection, so the code that runs is Core's. */
export const CORE_KEEP_ALIVE: KeepAlive = {
  adopt: () => null,
};
