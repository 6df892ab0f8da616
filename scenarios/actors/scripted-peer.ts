// A scripted peer for tests: one sim host that speaks just enough of the P2P protocol to exercise
// a Core node's connection rules, built on the attackers' engine (actor.ts) like every other
// actor. It can stay silent (accept or connect and never send a byte), complete the handshake and
// then stop answering pings, answer GETADDR with a chosen list of addresses, or behave politely.
// It runs no Core logic; it records what each connection received so tests can assert on the
// honest side's behaviour. addScriptedPeer places one in a world.

import type { Service } from '../../connman/protocol/netaddress.ts';
import type { Address } from '../../connman/protocol/protocol.ts';
import type { Micros, SimAddress, SocketId } from '../../sim/index.ts';
import type { World } from '../world/world.ts';
import { MSG_ADDR, MSG_ADDRV2, getAddrMessage } from '../../connman/protocol/messages.ts';
import { defaultBehaviour, P2PActor, type ActorConn } from './actor.ts';
import type { AttackerEnv } from './attacker-env.ts';
import { attackerEnvFromWorld } from './world-env.ts';

export interface ScriptedPeerOptions {
  /** Never send anything (a black-hole peer). Default false. */
  silent?: boolean;
  /** Answer pings with pongs. Default true. */
  answerPings?: boolean;
  /** Addresses to send in one addr message when asked with GETADDR (none: no answer). */
  getAddrAnswer?: readonly Address[];
  /** Services advertised in VERSION. Default NODE_NETWORK | NODE_WITNESS. */
  services?: number;
  /** fRelay in VERSION: false makes it a block-relay-only peer (outside the inbound tx-relay cap). Default true. */
  relay?: boolean;
  /**
   * After its VERACK, send a ping of its own every this many µs: the node answers with a pong, so
   * both the node's send and receive sides stay active, and a peer that ignores the node's pings
   * is caught by the ping timeout rather than by the 20-minute send/receive inactivity timeouts.
   * Default: never.
   */
  keepAliveMicros?: Micros;
  /** Listen on its address's port (honest nodes may connect to it). Default false. */
  listen?: boolean;
  /** Send GETADDR once its handshake completes (the node answers an inbound peer once). Default false. */
  sendGetAddr?: boolean;
}

/** What one connection of the peer has seen. */
export interface ScriptedPeerConnection {
  readonly socket: SocketId;
  /** The honest node connected to us. */
  readonly inbound: boolean;
  /** The types of the messages received, in order. */
  readonly received: string[];
  /** The number of addresses in each addr / addrv2 message received, in order. */
  readonly addrCounts: number[];
  closed: boolean;
}

export class ScriptedPeer {
  /** Every connection it had, open or closed, in opening order. */
  readonly connections = new Map<SocketId, ScriptedPeerConnection>();
  private readonly actor: P2PActor;

  /** `env.addHost` must return the host the world made for `service`. */
  constructor(env: AttackerEnv, name: string, readonly service: Service, options: ScriptedPeerOptions = {}) {
    const list = options.getAddrAnswer;
    this.actor = new P2PActor(env, {
      name,
      kind: 'scripted-peer',
      addresses: [service],
      hostStyle: 'infrastructure',
      listen: options.listen ?? false,
      port: service.port,
      behaviour: {
        ...defaultBehaviour(),
        silent: options.silent ?? false,
        answerPings: options.answerPings ?? true,
        keepAliveMicros: options.keepAliveMicros,
        ...(options.services !== undefined ? { services: options.services } : {}),
        relay: options.relay ?? true,
        userAgent: '/connsim-test-peer:0.1/',
      },
      slots: undefined,
      hooks: {
        onOpened: (c) => this.connections.set(c.socket, { socket: c.socket, inbound: c.accepted, received: [], addrCounts: [], closed: false }),
        onReceived: (c, m) => {
          const rec = this.connections.get(c.socket);
          rec?.received.push(m.type);
          if (m.type === MSG_ADDR || m.type === MSG_ADDRV2) rec?.addrCounts.push(m.addresses.length);
        },
        ...(options.sendGetAddr === true ? { onHandshake: (c: ActorConn) => this.actor.send(c, getAddrMessage()) } : {}),
        onClosed: (c) => {
          const rec = this.connections.get(c.socket);
          if (rec !== undefined) rec.closed = true;
        },
        ...(list !== undefined ? { getAddrAnswer: () => list } : {}),
      },
    });
    this.actor.start();
  }

  /** The peer's sim host. */
  get host(): number {
    return this.actor.hosts[0]!;
  }

  /** Opens a connection from this peer to an address (the honest node sees an inbound peer). */
  connect(to: SimAddress, port: number): SocketId {
    return this.actor.connectTo(to, port);
  }

  /** Connections that are still open, in opening order. */
  openConnections(): ScriptedPeerConnection[] {
    return [...this.connections.values()].filter((c) => !c.closed);
  }
}

/** A scripted peer on the next address of the world's plan (not listening unless `listen`). */
export function addScriptedPeer(world: World, options: ScriptedPeerOptions = {}): ScriptedPeer {
  const { host, service } = world.addPlannedHost();
  const name = `scripted-peer-${host}`;
  const env: AttackerEnv = { ...attackerEnvFromWorld(world, name), addHost: () => host };
  return new ScriptedPeer(env, name, service, options);
}
