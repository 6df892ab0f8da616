// The Transport port over the simulated network: one instance per node (one sim host), turning the
// sim's per-host socket callbacks into the Connman's TransportHandlers and connman Services into
// sim addresses. The sim gives connections no source ports, so each socket gets a deterministic
// ephemeral port (49152 + socket id mod 16384) that both ends agree on; that is what an inbound
// peer's address carries. Connect timeouts shorter than the network's are enforced here with a
// kernel timer. It does not interpret messages (they pass through as objects with their size).

import type { P2PMessage } from '../../connman/protocol/messages.ts';
import type { Service } from '../../connman/protocol/netaddress.ts';
import type { ConnHandle, Micros, Transport, TransportHandlers } from '../../connman/ports.ts';
import type { HostId, Kernel, Network, SocketId } from '../../sim/index.ts';
import { serviceOfSim, simAddressOf } from '../world/address-plan.ts';

/** A connection's fixed path: the key both ends share and the one-way latency each way. */
export interface FixedPath {
  key: number;
  outMicros: Micros;
  backMicros: Micros;
}

const EPHEMERAL_BASE = 49152;
const EPHEMERAL_RANGE = 16384;

/** The source port the sim pretends a connecting socket used. */
export function ephemeralPort(connectorSocket: SocketId): number {
  return EPHEMERAL_BASE + (connectorSocket % EPHEMERAL_RANGE);
}

const NO_HANDLERS: TransportHandlers = {
  onAccept() {},
  onConnected() {},
  onConnectFailed() {},
  onMessage() {},
  onRemoteClose() {},
};

/**
 * Shared by every SimTransport of one world: the network, the kernel, and one registered timer
 * kind for connect timeouts (so a timeout allocates nothing but its kernel slot).
 */
export class SimTransportHub {
  private readonly byHost: (SimTransport | undefined)[] = [];
  private readonly timeoutKind: number;

  constructor(
    readonly kernel: Kernel,
    readonly network: Network<P2PMessage>,
    /** The network's own connect timeout; shorter per-call timeouts are enforced by a timer. */
    readonly networkConnectTimeoutMicros: Micros,
    /** The node clock's reading at kernel time 0 (the Connman's times are on that clock). */
    readonly epochMicros: Micros = 0,
  ) {
    this.timeoutKind = kernel.register((socket) => this.connectTimedOut(socket), 'transport.connect-timeout');
  }

  /** The transport of `host` (created on first use; it survives restarts of the node). */
  transportFor(host: HostId): SimTransport {
    let t = this.byHost[host];
    if (t === undefined) {
      t = new SimTransport(this, host);
      this.byHost[host] = t;
    }
    return t;
  }

  armConnectTimeout(socket: SocketId, timeoutMicros: Micros): void {
    this.kernel.after(timeoutMicros, this.timeoutKind, socket);
  }

  private connectTimedOut(socket: SocketId): void {
    const info = this.network.socketInfo(socket);
    if (info.state !== 'connecting') return;
    this.network.close(socket);
    this.byHost[info.host]?.timedOut(socket);
  }
}

export class SimTransport implements Transport {
  private handlers: TransportHandlers = NO_HANDLERS;
  private readonly network: Network<P2PMessage>;

  constructor(
    private readonly hub: SimTransportHub,
    readonly host: HostId,
  ) {
    this.network = hub.network;
    this.network.setHandlers(host, {
      onAccept: (socket, localPort) => {
        const info = this.network.socketInfo(socket);
        const local = serviceOfSim(info.localAddress, localPort);
        const remote = serviceOfSim(info.remoteAddress, ephemeralPort(info.peer));
        this.handlers.onAccept(socket, local, remote);
      },
      onConnect: (socket) => {
        const info = this.network.socketInfo(socket);
        this.handlers.onConnected(socket, serviceOfSim(info.localAddress, ephemeralPort(socket)));
      },
      onConnectFailed: (socket, reason) => this.handlers.onConnectFailed(socket, reason),
      onMessage: (socket, payload) => this.handlers.onMessage(socket, payload),
      onClose: (socket, reason) => this.handlers.onRemoteClose(socket, reason),
    });
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  /** Drops the owner's callbacks (its Connman stopped); events still in flight are ignored. */
  detach(): void {
    this.handlers = NO_HANDLERS;
  }

  listen(local: Service): boolean {
    if (!this.network.isUp(this.host)) return false;
    const mine = this.network.hostOf(simAddressOf(local));
    if (mine !== this.host) return false;
    if (this.network.isListening(this.host, local.port)) return false;
    this.network.listen(this.host, local.port);
    return true;
  }

  unlisten(local: Service): void {
    this.network.unlisten(this.host, local.port);
  }

  connect(to: Service, timeoutMicros: Micros): ConnHandle {
    const socket = this.network.connect(this.host, simAddressOf(to), to.port);
    if (timeoutMicros < this.hub.networkConnectTimeoutMicros) this.hub.armConnectTimeout(socket, timeoutMicros);
    return socket;
  }

  send(conn: ConnHandle, msg: P2PMessage): boolean {
    if (!this.network.isOpen(conn)) return false;
    return this.network.send(conn, msg, msg.sizeBytes);
  }

  close(conn: ConnHandle): void {
    this.network.close(conn);
  }

  /**
   * The path of an open connection while its timing is fixed, for the analytic ping path
   * (analytic-ping.ts): a key both ends share (the lower socket id) and the one-way latency each
   * way. Defined only while nothing can make a packet's timing depend on other traffic or on draws:
   * no fault rule installed, both hosts up with unlimited upload, and a fixed latency model.
   */
  fixedPath(conn: ConnHandle): FixedPath | undefined {
    const net = this.network;
    if (!net.isOpen(conn) || net.faultCount() > 0) return undefined;
    const peer = net.peerOf(conn);
    if (peer < 0 || !net.isOpen(peer)) return undefined;
    const host = net.hostOfSocket(conn);
    const peerHost = net.hostOfSocket(peer);
    if (!net.isUp(host) || !net.isUp(peerHost)) return undefined;
    if (net.uploadRate(host) !== Infinity || net.uploadRate(peerHost) !== Infinity) return undefined;
    const outMicros = net.fixedLatency(host, peerHost);
    const backMicros = net.fixedLatency(peerHost, host);
    if (outMicros === undefined || backMicros === undefined) return undefined;
    return { key: Math.min(conn, peer), outMicros, backMicros };
  }

  /** Puts on the wire a computed message that left at `departedMicros` (node clock, <= now). False if the socket is closed. */
  sendDeparted(conn: ConnHandle, msg: P2PMessage, departedMicros: Micros): boolean {
    if (!this.network.isOpen(conn)) return false;
    return this.network.send(conn, msg, msg.sizeBytes, departedMicros - this.hub.epochMicros);
  }

  /** Called by the hub when our own connect timer fired first. */
  timedOut(socket: SocketId): void {
    this.handlers.onConnectFailed(socket, 'timeout');
  }
}
