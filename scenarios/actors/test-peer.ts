// A scripted peer for tests and scenarios: a sim host that speaks just enough of the P2P protocol
// to exercise a Core node's connection rules. It can stay silent (accept or connect and never send
// a byte), complete the handshake and then stop answering pings, answer GETADDR with a chosen
// list of addresses, or behave politely. It runs no Core logic (no connman); it is an actor, not a
// node. It records what it received so tests can assert on the honest side's behaviour.

import type { Service } from '../../connman/protocol/netaddress.ts';
import type { Address } from '../../connman/protocol/protocol.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import {
  addrMessage,
  addrV2Message,
  MSG_GETADDR,
  MSG_PING,
  MSG_SENDADDRV2,
  MSG_VERACK,
  MSG_VERSION,
  pingMessage,
  pongMessage,
  sendAddrV2Message,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  type P2PMessage,
} from '../../connman/protocol/messages.ts';
import type { HostId, Kernel, Micros, Network, SimAddress, SocketId } from '../../sim/index.ts';

export interface TestPeerOptions {
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
  /** Unix seconds used in VERSION's time field. */
  timeSeconds?: () => number;
  /**
   * After its VERACK, send a ping of its own every this many µs: the node answers with a pong, so
   * both the node's send and receive sides stay active, and a peer that ignores the node's pings
   * is caught by the ping timeout rather than by the 20-minute send/receive inactivity timeouts.
   * Needs `kernel`. Default: never.
   */
  keepAliveMicros?: Micros;
  kernel?: Kernel;
}

/** What one connection of the test peer has seen. */
export interface TestPeerConnection {
  socket: SocketId;
  inbound: boolean;
  received: string[];
  closed: boolean;
  peerSentAddrV2: boolean;
}

export class TestPeer {
  readonly connections = new Map<SocketId, TestPeerConnection>();
  private readonly silent: boolean;
  private readonly services: number;
  private nonceCounter = 1n;
  answerPings: boolean;
  getAddrAnswer: readonly Address[] | undefined;

  constructor(
    private readonly network: Network<P2PMessage>,
    readonly host: HostId,
    private readonly options: TestPeerOptions = {},
    /** The peer's own address (with the port it would listen on), when the world knows it. */
    readonly service?: Service,
  ) {
    this.silent = options.silent ?? false;
    this.answerPings = options.answerPings ?? true;
    this.getAddrAnswer = options.getAddrAnswer;
    this.services = options.services ?? NODE_NETWORK | NODE_WITNESS;
    network.setHandlers(host, {
      onAccept: (socket) => this.open(socket, true),
      onConnect: (socket) => {
        this.open(socket, false);
        // We opened the connection: we speak first, as Core's outbound side does.
        this.send(socket, this.version());
      },
      onMessage: (socket, m) => this.receive(socket, m),
      onClose: (socket) => {
        const c = this.connections.get(socket);
        if (c !== undefined) c.closed = true;
      },
    });
  }

  /** Opens a connection from this peer to an address (the honest node sees an inbound peer). */
  connect(to: SimAddress, port: number): SocketId {
    return this.network.connect(this.host, to, port);
  }

  /** Connections that are still open, in creation order. */
  openConnections(): TestPeerConnection[] {
    return [...this.connections.values()].filter((c) => !c.closed);
  }

  private open(socket: SocketId, inbound: boolean): void {
    this.connections.set(socket, { socket, inbound, received: [], closed: false, peerSentAddrV2: false });
  }

  private armKeepAlive(socket: SocketId): void {
    const every = this.options.keepAliveMicros;
    const kernel = this.options.kernel;
    if (every === undefined || kernel === undefined) return;
    const tick = (): void => {
      const c = this.connections.get(socket);
      if (c === undefined || c.closed || !this.network.isOpen(socket)) return;
      this.send(socket, pingMessage(0x4b454550n + this.nonceCounter++));
      kernel.scheduleAfter(every, tick);
    };
    kernel.scheduleAfter(every, tick);
  }

  private version(): P2PMessage {
    return versionMessage({
      services: this.services,
      timeSeconds: this.options.timeSeconds?.() ?? 0,
      nonce: 0x7e57_0000_0000_0000n + this.nonceCounter++,
      relay: this.options.relay ?? true,
      userAgent: '/connsim-test-peer:0.1/',
    });
  }

  private send(socket: SocketId, m: P2PMessage): void {
    if (this.silent) return;
    this.network.send(socket, m, m.sizeBytes);
  }

  private receive(socket: SocketId, m: P2PMessage): void {
    const c = this.connections.get(socket);
    if (c === undefined) return;
    c.received.push(m.type);
    if (this.silent) return;
    switch (m.type) {
      case MSG_VERSION:
        if (c.inbound) this.send(socket, this.version());
        this.send(socket, wtxidRelayMessage());
        this.send(socket, sendAddrV2Message());
        this.send(socket, verackMessage());
        break;
      case MSG_SENDADDRV2:
        c.peerSentAddrV2 = true;
        break;
      case MSG_VERACK:
        this.armKeepAlive(socket);
        break;
      case MSG_PING:
        if (this.answerPings) this.send(socket, pongMessage(m.nonce));
        break;
      case MSG_GETADDR:
        if (this.getAddrAnswer !== undefined) {
          const list = this.getAddrAnswer;
          this.send(socket, c.peerSentAddrV2 ? addrV2Message(list) : addrMessage(list));
        }
        break;
      default:
        break;
    }
  }
}
