// SOCKS5 (RFC 1928, with RFC 1929 username/password) as Bitcoin Core speaks it: a server the real
// node's -proxy / -onion point at, and the client side of the same exchange (netbase.cpp Socks5),
// which the loopback interop test uses to reach another world's server. Core always names the
// destination as a DOMAINNAME (its ToStringAddr: "1.2.3.4", "2001:db8::1", "xyz.onion") and, with
// -proxyrandomize (default on), offers username/password with random credentials for Tor stream
// isolation; the server accepts any credentials. Only CONNECT is served.
// It decides nothing about where a connection goes: the owner's `onRequest` does (gateway.ts).

import * as net from 'node:net';

/** RFC 1928 reply codes the server sends (Core: netbase.cpp SOCKS5Reply). */
export const SOCKS5_REPLY = {
  SUCCEEDED: 0x00,
  GENFAILURE: 0x01,
  NETUNREACHABLE: 0x03,
  HOSTUNREACHABLE: 0x04,
  CONNREFUSED: 0x05,
  TTLEXPIRED: 0x06,
  CMDUNSUPPORTED: 0x07,
  ATYPEUNSUPPORTED: 0x08,
} as const;

const SOCKS5 = 0x05;
const NOAUTH = 0x00;
const USER_PASS = 0x02;
const NO_ACCEPTABLE = 0xff;
const CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAINNAME = 0x03;
const ATYP_IPV6 = 0x04;

/** A CONNECT request: the destination as the client named it, and a way to answer it. */
export interface Socks5Request {
  host: string;
  port: number;
  socket: net.Socket;
  /** Sends the reply; on SUCCEEDED the socket then carries the connection's bytes, otherwise it is closed. */
  reply(code: number): void;
}

export interface Socks5ServerOptions {
  /** Called once per CONNECT request. It must call `reply` exactly once. */
  onRequest(req: Socks5Request): void;
  /** A connection that did not speak SOCKS5 as expected (logged by the owner; the socket is already closed). */
  onProtocolError?(reason: string): void;
}

/** Parses a server-side handshake from the bytes received so far; null while incomplete. */
type Step = { need: number } | { done: true; consumed: number };

/** A SOCKS5 server on a TCP listener. */
export class Socks5Server {
  readonly server: net.Server;

  constructor(private readonly options: Socks5ServerOptions) {
    this.server = net.createServer((s) => this.handle(s));
  }

  /** Listens on host:port (port 0: any free port); calls `ready` with the bound port. */
  listen(host: string, port: number, ready: (port: number) => void): void {
    this.server.once('error', (e) => {
      throw e;
    });
    this.server.listen(port, host, () => ready((this.server.address() as net.AddressInfo).port));
  }

  close(): void {
    this.server.close();
  }

  private handle(socket: net.Socket): void {
    let buf = Buffer.alloc(0);
    let phase: 'greeting' | 'auth' | 'request' | 'waiting' = 'greeting';
    const fail = (reason: string, code?: number): void => {
      if (code !== undefined && !socket.destroyed) socket.end(Buffer.from([SOCKS5, code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0]));
      else socket.destroy();
      socket.removeListener('data', onData);
      this.options.onProtocolError?.(reason);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (phase === 'greeting') {
          if (buf.length < 2) return;
          if (buf[0] !== SOCKS5) return fail(`not SOCKS5 (version byte ${buf[0]})`);
          const n = buf[1]!;
          if (buf.length < 2 + n) return;
          const methods = [...buf.subarray(2, 2 + n)];
          buf = buf.subarray(2 + n);
          // Prefer no authentication; accept username/password when that is all that is offered.
          if (methods.includes(NOAUTH)) {
            socket.write(Buffer.from([SOCKS5, NOAUTH]));
            phase = 'request';
          } else if (methods.includes(USER_PASS)) {
            socket.write(Buffer.from([SOCKS5, USER_PASS]));
            phase = 'auth';
          } else {
            socket.end(Buffer.from([SOCKS5, NO_ACCEPTABLE]));
            return fail('no acceptable authentication method');
          }
        } else if (phase === 'auth') {
          // RFC 1929: ver(1) ulen(1) user plen(1) pass
          if (buf.length < 2) return;
          const ulen = buf[1]!;
          if (buf.length < 3 + ulen) return;
          const plen = buf[2 + ulen]!;
          if (buf.length < 3 + ulen + plen) return;
          buf = buf.subarray(3 + ulen + plen);
          socket.write(Buffer.from([0x01, 0x00]));
          phase = 'request';
        } else if (phase === 'request') {
          const step = parseRequest(buf);
          if ('need' in step) return;
          const parsed = step as { done: true; consumed: number; cmd: number; atyp: number; host: string; port: number };
          buf = buf.subarray(parsed.consumed);
          if (parsed.cmd !== CONNECT) return fail(`command ${parsed.cmd} not supported`, SOCKS5_REPLY.CMDUNSUPPORTED);
          if (parsed.atyp < 0) return fail(`address type ${-parsed.atyp} not supported`, SOCKS5_REPLY.ATYPEUNSUPPORTED);
          phase = 'waiting';
          socket.removeListener('data', onData);
          socket.pause();
          if (buf.length > 0) socket.unshift(buf);
          let replied = false;
          this.options.onRequest({
            host: parsed.host,
            port: parsed.port,
            socket,
            reply: (code) => {
              if (replied) return;
              replied = true;
              if (socket.destroyed) return;
              // BND.ADDR / BND.PORT: 0.0.0.0:0 (Core reads and ignores them).
              const r = Buffer.from([SOCKS5, code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0]);
              if (code === SOCKS5_REPLY.SUCCEEDED) {
                socket.write(r);
                socket.resume();
              } else socket.end(r);
            },
          });
          return;
        } else return;
      }
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }
}

function parseRequest(b: Buffer): Step | { done: true; consumed: number; cmd: number; atyp: number; host: string; port: number } {
  if (b.length < 5) return { need: 5 };
  const cmd = b[1]!;
  const atyp = b[3]!;
  let host: string;
  let at: number;
  if (atyp === ATYP_IPV4) {
    if (b.length < 10) return { need: 10 };
    host = [...b.subarray(4, 8)].join('.');
    at = 8;
  } else if (atyp === ATYP_DOMAINNAME) {
    const n = b[4]!;
    if (b.length < 5 + n + 2) return { need: 5 + n + 2 };
    host = b.subarray(5, 5 + n).toString('latin1');
    at = 5 + n;
  } else if (atyp === ATYP_IPV6) {
    if (b.length < 22) return { need: 22 };
    const parts: string[] = [];
    for (let i = 0; i < 8; i++) parts.push(b.readUInt16BE(4 + 2 * i).toString(16));
    host = parts.join(':');
    at = 20;
  } else {
    return { done: true, consumed: b.length, cmd, atyp: -atyp, host: '', port: 0 };
  }
  return { done: true, consumed: at + 2, cmd, atyp, host, port: b.readUInt16BE(at) };
}

/**
 * The client side, as Core's netbase.cpp Socks5 does it (NOAUTH offered, DOMAINNAME destination):
 * connects to the proxy and asks for host:port. `done` gets the socket, now carrying the
 * connection, or the failure (the proxy's reply code, or a socket error).
 */
export function socks5Connect(
  proxy: { host: string; port: number },
  dest: { host: string; port: number },
  done: (err: { reason: string; code?: number } | null, socket: net.Socket | null) => void,
): net.Socket {
  const socket = net.connect(proxy.port, proxy.host);
  let buf = Buffer.alloc(0);
  let phase: 'method' | 'reply' | 'done' = 'method';
  const finish = (err: { reason: string; code?: number } | null): void => {
    if (phase === 'done') return;
    phase = 'done';
    socket.removeListener('data', onData);
    if (err !== null) {
      socket.destroy();
      done(err, null);
    } else done(null, socket);
  };
  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    if (phase === 'method') {
      if (buf.length < 2) return;
      if (buf[0] !== SOCKS5 || buf[1] !== NOAUTH) return finish({ reason: 'proxy refused the method' });
      buf = buf.subarray(2);
      const name = Buffer.from(dest.host, 'latin1');
      socket.write(Buffer.concat([Buffer.from([SOCKS5, CONNECT, 0, ATYP_DOMAINNAME, name.length]), name, Buffer.from([(dest.port >> 8) & 0xff, dest.port & 0xff])]));
      phase = 'reply';
    }
    if (phase === 'reply') {
      if (buf.length < 4) return;
      if (buf[0] !== SOCKS5) return finish({ reason: 'malformed proxy reply' });
      if (buf[1] !== SOCKS5_REPLY.SUCCEEDED) return finish({ reason: `proxy reply ${buf[1]}`, code: buf[1]! });
      const len = buf[3] === ATYP_IPV4 ? 4 : buf[3] === ATYP_IPV6 ? 16 : buf[3] === ATYP_DOMAINNAME && buf.length > 4 ? 1 + buf[4]! : -1;
      if (len < 0) return buf[3] === ATYP_DOMAINNAME ? undefined : finish({ reason: 'malformed proxy reply' });
      if (buf.length < 4 + len + 2) return;
      const rest = buf.subarray(4 + len + 2);
      finish(null);
      if (rest.length > 0) socket.unshift(rest);
    }
  };
  socket.on('connect', () => socket.write(Buffer.from([SOCKS5, 1, NOAUTH])));
  socket.on('data', onData);
  socket.on('error', (e) => finish({ reason: e.message }));
  socket.on('close', () => finish({ reason: 'proxy closed the connection' }));
  return socket;
}
