// The gateway between a simulated world and a node outside it (a real bitcoind, or another
// world's gateway): one sim host that owns the outside node's address in the world, and TCP on
// loopback on the other side.
//
// - Outbound from the outside node: it connects through the SOCKS5 server (socks5.ts) the run serves
//   on 127.0.0.1; each CONNECT names a simulated address, and the gateway opens a sim connection
//   from its host to it. The simulated peer sees an inbound connection from the gateway's address.
// - Inbound to the outside node: simulated peers connect to the gateway's address on the sim
//   network; for each, the gateway opens a TCP connection to the outside node's P2P port (directly,
//   or through another SOCKS5 proxy), optionally from a source address of the peer's own (the
//   namespace remedy, see README: with an "any IP is local" route in a network namespace, binding
//   the socket to the simulated address makes the real node see that address, netgroup and AS).
// - On every link, bytes from the outside are cut into v1 frames (wire.ts): messages the codec
//   knows go to the simulated peer as typed messages; getheaders is answered here with an empty
//   headers message (a peer that has only genesis); other types are ignored and counted, as Core
//   ignores unknown message types. A malformed frame is logged and the link dropped. Messages from
//   the simulated peer that have bytes are framed and written; count-only ones (inv, headers...)
//   have no bytes and are dropped, counted.
// Events from TCP are injected into the world only between kernel runs, after `catchUp` brought
// the virtual clock to the wall clock (realtime.ts), so they happen at the instant they arrived.

import * as net from 'node:net';
import type { P2PMessage } from '../connman/protocol/messages.ts';
import { MessageDecodeError } from '../connman/protocol/messages.ts';
import { parseNetAddr, type Service } from '../connman/protocol/netaddress.ts';
import type { HostId, Kernel, Network, SocketId } from '../sim/index.ts';
import { serviceOfSim, simAddressOf } from '../scenarios/world/address-plan.ts';
import { socks5Connect, SOCKS5_REPLY, Socks5Server, type Socks5Request } from './socks5.ts';
import { FrameReader, frameOfSimMessage, frameVerdict } from './wire.ts';

/** How simulated inbound peers reach the outside node. */
export type OutsideEndpoint =
  | {
      kind: 'direct';
      host: string;
      port: number;
      /** A local address to bind the TCP socket to for this simulated peer (the namespace remedy); undefined: the system's choice (127.0.0.1). */
      sourceFor?: (peer: Service) => string | undefined;
    }
  | { kind: 'socks5'; proxyHost: string; proxyPort: number; destHost: string; destPort: number };

export interface GatewayOptions {
  kernel: Kernel;
  network: Network<P2PMessage>;
  /** The sim host that owns `address` (world.addExternalHost). */
  host: HostId;
  /** The outside node's address in the world; the gateway listens on its port. */
  address: Service;
  /** The chain's message start (wire.ts REGTEST_MAGIC for a regtest bitcoind). */
  magic: Uint8Array;
  /** Where simulated inbound peers are sent; null: the outside node accepts no inbound. */
  outside: OutsideEndpoint | null;
  /** Brings the world's clock up to the wall clock before an outside event is injected. */
  catchUp(): void;
  /** One line per notable event (connections, malformed input). */
  log(line: string): void;
}

/** What a link saw: the handshake, addr traffic and how it ended. */
export interface LinkRecord {
  id: number;
  /** 'outbound': the outside node connected out (through the SOCKS5 server); 'inbound': a simulated peer connected in. */
  direction: 'outbound' | 'inbound';
  /** The simulated peer's address. */
  peer: string;
  openedAtMicros: number;
  /** Virtual time the sim side opened (outbound: connect succeeded; inbound: TCP connected). */
  establishedAtMicros: number | null;
  closedAtMicros: number | null;
  /** Who ended it: the outside node, the simulated peer, the bridge (malformed input), or a connect failure. */
  closedBy: 'outside' | 'sim' | 'malformed' | 'connect-failed' | 'shutdown' | null;
  closeDetail: string;
  /** Message counts by type, from the outside node to the peer and back. */
  fromOutside: Record<string, number>;
  fromSim: Record<string, number>;
  /** Address entries carried by addr / addrv2 in each direction. */
  addrEntriesFromOutside: number;
  addrEntriesFromSim: number;
  /** Frames from the outside the simulator has no model for (ignored), by type. */
  ignoredFromOutside: Record<string, number>;
  /** Messages from the simulated peer without bytes (not sent), by type. */
  droppedFromSim: Record<string, number>;
  /** getheaders answered with an empty headers message. */
  getheadersAnswered: number;
}

interface Link {
  rec: LinkRecord;
  sim: SocketId;
  tcp: net.Socket | null;
  tcpReady: boolean;
  queued: Uint8Array[];
  /** Answers the gateway owes the outside node, held until the simulated peer's VERSION went out (a Core peer sends nothing before it). */
  heldAnswers: Uint8Array[];
  reader: FrameReader;
  closed: boolean;
}

export class Gateway {
  private readonly links = new Map<SocketId, Link>();
  private readonly pendingSocks = new Map<SocketId, { req: Socks5Request; rec: LinkRecord }>();
  private readonly records: LinkRecord[] = [];
  private socks: Socks5Server | null = null;
  private nextId = 1;
  /** SOCKS5 requests whose destination is not an address of the simulated world. */
  readonly refusedSocks: { host: string; port: number; reason: string }[] = [];

  constructor(private readonly o: GatewayOptions) {
    const n = o.network;
    n.setHandlers(o.host, {
      onAccept: (socket, _port, remote) => this.simAccepted(socket, remote.kind, remote.text),
      onConnect: (socket) => this.simConnected(socket),
      onConnectFailed: (socket, reason) => this.simConnectFailed(socket, reason),
      onMessage: (socket, payload) => this.simMessage(socket, payload),
      onClose: (socket, reason) => this.simClosed(socket, reason),
    });
    if (o.outside !== null) n.listen(o.host, o.address.port);
  }

  /** Every link so far, in the order they opened. */
  linkRecords(): readonly LinkRecord[] {
    return this.records;
  }

  /** Serves SOCKS5 on host:port (0: any free port) for the outside node's -proxy / -onion; `ready` gets the port. */
  serveSocks(host: string, port: number, ready: (port: number) => void): void {
    this.socks = new Socks5Server({
      onRequest: (req) => this.socksRequest(req),
      onProtocolError: (reason) => this.o.log(`socks5: ${reason}`),
    });
    this.socks.listen(host, port, ready);
  }

  /** Closes the SOCKS5 listener and every link (their sim sockets too). */
  shutdown(): void {
    this.socks?.close();
    this.socks = null;
    for (const [, p] of this.pendingSocks) p.req.reply(SOCKS5_REPLY.GENFAILURE);
    this.pendingSocks.clear();
    for (const link of [...this.links.values()]) this.end(link, 'shutdown', 'bridge stopped', true);
  }

  // --- the outside node connects out ------------------------------------------------------------

  private socksRequest(req: Socks5Request): void {
    const parsed = parseNetAddr(req.host);
    if (!parsed.ok) {
      this.refusedSocks.push({ host: req.host, port: req.port, reason: 'not an address of the simulated world' });
      this.o.log(`socks5: refused ${req.host}:${req.port} (not an address of the simulated world)`);
      req.reply(SOCKS5_REPLY.HOSTUNREACHABLE);
      return;
    }
    this.o.catchUp();
    const target = parsed.value;
    // The peer as Core's getpeerinfo names a connection it made: "ip:port", IPv6 in brackets.
    const rec = this.newRecord('outbound', target.isIPv6() ? `[${req.host}]:${req.port}` : `${req.host}:${req.port}`);
    const sock = this.o.network.connect(this.o.host, simAddressOf(target), req.port);
    this.pendingSocks.set(sock, { req, rec });
    req.socket.on('error', () => {});
    req.socket.on('close', () => {
      // The outside node gave up before the sim answered (its own connect timeout).
      const p = this.pendingSocks.get(sock);
      if (p === undefined) return;
      this.pendingSocks.delete(sock);
      this.o.catchUp();
      this.o.network.close(sock);
      this.finishRecord(rec, 'outside', 'closed before the connect completed');
    });
  }

  private simConnected(sock: SocketId): void {
    const p = this.pendingSocks.get(sock);
    if (p === undefined) return;
    this.pendingSocks.delete(sock);
    p.req.socket.removeAllListeners('close');
    const link = this.newLink(p.rec, sock, p.req.socket);
    link.tcpReady = true;
    p.rec.establishedAtMicros = this.o.kernel.now();
    this.o.log(`link ${p.rec.id}: outside node -> ${p.rec.peer} connected`);
    p.req.reply(SOCKS5_REPLY.SUCCEEDED);
  }

  private simConnectFailed(sock: SocketId, reason: string): void {
    const p = this.pendingSocks.get(sock);
    if (p === undefined) return;
    this.pendingSocks.delete(sock);
    p.req.socket.removeAllListeners('close');
    this.finishRecord(p.rec, 'connect-failed', reason);
    p.req.reply(reason === 'refused' ? SOCKS5_REPLY.CONNREFUSED : SOCKS5_REPLY.TTLEXPIRED);
  }

  // --- simulated peers connect in ----------------------------------------------------------------

  private simAccepted(sock: SocketId, kind: string, text: string): void {
    const out = this.o.outside;
    if (out === null) {
      this.o.network.reset(sock);
      return;
    }
    const info = this.o.network.socketInfo(sock);
    const peer = serviceOfSim(info.remoteAddress, 0);
    const rec = this.newRecord('inbound', kind === 'ipv6' ? `[${text}]` : text);
    const link = this.newLink(rec, sock, null);
    const onTcpOpen = (s: net.Socket): void => {
      if (link.closed) {
        s.destroy();
        return;
      }
      this.attachTcp(link, s);
      link.tcpReady = true;
      this.o.catchUp();
      rec.establishedAtMicros = this.o.kernel.now();
      for (const b of link.queued) s.write(b);
      link.queued = [];
      this.o.log(`link ${rec.id}: ${rec.peer} -> outside node connected`);
    };
    const onTcpFail = (reason: string): void => {
      if (link.closed) return;
      this.o.catchUp();
      this.end(link, 'connect-failed', reason, true);
    };
    if (out.kind === 'direct') {
      const local = out.sourceFor?.(peer);
      const s = net.connect({ host: out.host, port: out.port, ...(local !== undefined ? { localAddress: local } : {}) });
      link.tcp = s;
      s.once('connect', () => onTcpOpen(s));
      s.once('error', (e) => onTcpFail(e.message));
    } else {
      link.tcp = socks5Connect({ host: out.proxyHost, port: out.proxyPort }, { host: out.destHost, port: out.destPort }, (err, s) => {
        if (err !== null || s === null) onTcpFail(err?.reason ?? 'proxy failed');
        else onTcpOpen(s);
      });
    }
  }

  // --- both directions ---------------------------------------------------------------------------

  private newRecord(direction: 'outbound' | 'inbound', peer: string): LinkRecord {
    const rec: LinkRecord = {
      id: this.nextId++,
      direction,
      peer,
      openedAtMicros: this.o.kernel.now(),
      establishedAtMicros: null,
      closedAtMicros: null,
      closedBy: null,
      closeDetail: '',
      fromOutside: {},
      fromSim: {},
      addrEntriesFromOutside: 0,
      addrEntriesFromSim: 0,
      ignoredFromOutside: {},
      droppedFromSim: {},
      getheadersAnswered: 0,
    };
    this.records.push(rec);
    return rec;
  }

  private finishRecord(rec: LinkRecord, by: NonNullable<LinkRecord['closedBy']>, detail: string): void {
    if (rec.closedBy !== null) return;
    rec.closedBy = by;
    rec.closeDetail = detail;
    rec.closedAtMicros = this.o.kernel.now();
  }

  private newLink(rec: LinkRecord, sim: SocketId, tcp: net.Socket | null): Link {
    const link: Link = { rec, sim, tcp, tcpReady: false, queued: [], heldAnswers: [], reader: new FrameReader(this.o.magic), closed: false };
    this.links.set(sim, link);
    if (tcp !== null) this.attachTcp(link, tcp);
    return link;
  }

  private attachTcp(link: Link, s: net.Socket): void {
    link.tcp = s;
    s.setNoDelay(true);
    s.removeAllListeners('error');
    s.on('data', (chunk: Buffer) => this.tcpData(link, chunk));
    s.on('error', (e) => {
      if (link.closed) return;
      this.o.catchUp();
      this.end(link, 'outside', `socket error: ${e.message}`, false);
    });
    s.on('close', () => {
      if (link.closed) return;
      this.o.catchUp();
      this.end(link, 'outside', 'closed by the outside node', false);
    });
  }

  private tcpData(link: Link, chunk: Buffer): void {
    if (link.closed) return;
    this.o.catchUp();
    let frames;
    try {
      frames = link.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    } catch (e) {
      this.malformed(link, e);
      return;
    }
    for (const f of frames) {
      let verdict;
      try {
        verdict = frameVerdict(f, this.o.magic);
      } catch (e) {
        this.malformed(link, e);
        return;
      }
      const rec = link.rec;
      rec.fromOutside[f.type] = (rec.fromOutside[f.type] ?? 0) + 1;
      if (verdict.kind === 'forward') {
        const m = verdict.message;
        if (m.type === 'addr' || m.type === 'addrv2') rec.addrEntriesFromOutside += m.addresses.length;
        if (!this.o.network.send(link.sim, m, m.sizeBytes)) return;
      } else if (verdict.kind === 'answer') {
        rec.getheadersAnswered++;
        if ((rec.fromSim.version ?? 0) > 0) link.tcp?.write(verdict.reply);
        else link.heldAnswers.push(verdict.reply);
      } else {
        rec.ignoredFromOutside[f.type] = (rec.ignoredFromOutside[f.type] ?? 0) + 1;
      }
    }
  }

  private malformed(link: Link, e: unknown): void {
    const why = e instanceof MessageDecodeError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    this.o.log(`link ${link.rec.id} (${link.rec.peer}): malformed bytes from the outside node: ${why}; connection dropped`);
    this.end(link, 'malformed', why, true);
  }

  private simMessage(sock: SocketId, m: P2PMessage): void {
    const link = this.links.get(sock);
    if (link === undefined || link.closed) return;
    const rec = link.rec;
    rec.fromSim[m.type] = (rec.fromSim[m.type] ?? 0) + 1;
    const bytes = frameOfSimMessage(m, this.o.magic);
    if (bytes === null) {
      rec.droppedFromSim[m.type] = (rec.droppedFromSim[m.type] ?? 0) + 1;
      return;
    }
    if (m.type === 'addr' || m.type === 'addrv2') rec.addrEntriesFromSim += m.addresses.length;
    const out = m.type === 'version' && link.heldAnswers.length > 0 ? [bytes, ...link.heldAnswers.splice(0)] : [bytes];
    for (const b of out) {
      if (link.tcpReady && link.tcp !== null) link.tcp.write(b);
      else link.queued.push(b);
    }
  }

  private simClosed(sock: SocketId, reason: string): void {
    const link = this.links.get(sock);
    if (link === undefined) return;
    this.end(link, 'sim', `closed by the simulated peer (${reason})`, false);
  }

  /** Ends a link on both sides. `closeSim`: close the sim socket too (it is still open). */
  private end(link: Link, by: NonNullable<LinkRecord['closedBy']>, detail: string, closeSim: boolean): void {
    if (link.closed) return;
    link.closed = true;
    this.links.delete(link.sim);
    this.finishRecord(link.rec, by, detail);
    if (by === 'outside' || closeSim) {
      if (this.o.network.isOpen(link.sim) || this.o.network.socketInfo(link.sim).state === 'connecting') this.o.network.close(link.sim);
    }
    if (link.tcp !== null && !link.tcp.destroyed) {
      if (by === 'sim') link.tcp.end();
      else link.tcp.destroy();
    }
    this.o.log(`link ${link.rec.id} (${link.rec.peer}): ${detail}`);
  }
}
