#!/usr/bin/env node
// A stand-in for bitcoind that exercises the bridge's harness (process start, cookie RPC, the
// SOCKS5 exchange as Core's netbase.cpp Socks5 does it, v1 frames on loopback, polling, stop)
// where no real bitcoind was built. It is NOT Core: it only handshakes, answers pings, asks its
// outbound peers for addresses and counts them. What Core itself does is tested by
// bridge/bitcoind-interop.test.ts against the real binary. Test-only; nothing imports it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const args = new Map();
for (const a of process.argv.slice(2)) {
  const m = /^-([^=]+)(?:=(.*))?$/.exec(a);
  if (m) args.set(m[1], m[2] ?? '1');
}
const datadir = args.get('datadir');
const rpcPort = Number(args.get('rpcport'));
const p2pPort = Number(args.get('bind').split(':').at(-1));
const [proxyHost, proxyPort] = args.get('proxy').split(':');
const MAGIC = Buffer.from('fabfb5da', 'hex');
fs.mkdirSync(path.join(datadir, 'regtest'), { recursive: true });
fs.writeFileSync(path.join(datadir, 'regtest', '.cookie'), '__cookie__:fake');
const debugLog = path.join(datadir, 'regtest', 'debug.log');
fs.writeFileSync(debugLog, '');

const sha256d = (b) => crypto.createHash('sha256').update(crypto.createHash('sha256').update(b).digest()).digest();
function frame(type, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(24);
  MAGIC.copy(h, 0);
  h.write(type, 4, 'latin1');
  h.writeUInt32LE(payload.length, 16);
  sha256d(payload).copy(h, 20, 0, 4);
  return Buffer.concat([h, payload]);
}
function versionPayload() {
  const ua = Buffer.from('/FakeBitcoind:0.1/');
  const b = Buffer.alloc(4 + 8 + 8 + 26 + 26 + 8 + 1 + ua.length + 4 + 1);
  let o = b.writeInt32LE(70017, 0);
  o = b.writeBigUInt64LE(9n, o);
  o = b.writeBigInt64LE(BigInt(Math.floor(Date.now() / 1000)), o);
  o += 52;
  crypto.randomBytes(8).copy(b, o);
  o += 8;
  b[o++] = ua.length;
  ua.copy(b, o);
  o += ua.length;
  o = b.writeInt32LE(0, o);
  b[o] = 1;
  return b;
}
function readVarStr(b, at) {
  const n = b[at];
  return b.subarray(at + 1, at + 1 + n).toString('latin1');
}

const peers = new Map();
let nextId = 0;
function speak(sock, addr, inbound) {
  const peer = { id: nextId++, addr, inbound, connType: inbound ? 'inbound' : 'outbound-full-relay', version: 0, subver: '', conntime: Math.floor(Date.now() / 1000), addrProcessed: 0, verack: false };
  peers.set(peer.id, peer);
  let buf = Buffer.alloc(0);
  if (!inbound) sock.write(frame('version', versionPayload()));
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 24) {
      if (!buf.subarray(0, 4).equals(MAGIC)) return sock.destroy();
      const type = buf.toString('latin1', 4, 16).replace(/\0+$/, '');
      const len = buf.readUInt32LE(16);
      if (buf.length < 24 + len) return;
      const p = buf.subarray(24, 24 + len);
      buf = buf.subarray(24 + len);
      if (type === 'version') {
        peer.version = p.readInt32LE(0);
        peer.subver = readVarStr(p, 80);
        if (inbound) sock.write(frame('version', versionPayload()));
        sock.write(frame('verack'));
      } else if (type === 'verack') {
        peer.verack = true;
        if (!inbound) sock.write(frame('getaddr'));
      } else if (type === 'ping') sock.write(frame('pong', p));
      else if (type === 'addr' || type === 'addrv2') peer.addrProcessed += p[0] < 0xfd ? p[0] : p.readUInt16LE(1);
    }
  });
  const gone = () => peers.delete(peer.id);
  sock.on('close', gone);
  sock.on('error', gone);
}

net.createServer((s) => speak(s, `${s.remoteAddress}:${s.remotePort}`, true)).listen(p2pPort, '127.0.0.1');

function connectThroughProxy(host, port) {
  const s = net.connect(Number(proxyPort), proxyHost);
  let phase = 0;
  let buf = Buffer.alloc(0);
  const onData = (d) => {
    buf = Buffer.concat([buf, d]);
    if (phase === 0 && buf.length >= 2) {
      // Core offers no-auth and username/password (its -proxyrandomize credentials).
      if (buf[1] === 2) s.write(Buffer.from([1, 1, 0x75, 1, 0x70]));
      phase = buf[1] === 2 ? 1 : 2;
      buf = buf.subarray(2);
      if (phase === 2) request();
    }
    if (phase === 1 && buf.length >= 2) {
      buf = buf.subarray(2);
      phase = 2;
      request();
    }
    if (phase === 3 && buf.length >= 10) {
      if (buf[1] !== 0) return s.destroy();
      s.removeListener('data', onData);
      const rest = buf.subarray(10);
      speak(s, `${host}:${port}`, false);
      if (rest.length > 0) s.emit('data', rest);
    }
  };
  const request = () => {
    const name = Buffer.from(host);
    s.write(Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 255])]));
    phase = 3;
  };
  s.on('connect', () => s.write(Buffer.from([5, 2, 0, 2])));
  s.on('data', onData);
  s.on('error', () => {});
}

http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.headers.authorization !== `Basic ${Buffer.from('__cookie__:fake').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      const { id, method, params } = JSON.parse(body);
      let result = null;
      if (method === 'getnetworkinfo') result = { subversion: '/FakeBitcoind:0.1/', networks: ['ipv4', 'ipv6', 'onion'].map((name) => ({ name, proxy: `${proxyHost}:${proxyPort}` })) };
      else if (method === 'addpeeraddress') {
        connectThroughProxy(params[0], params[1]);
        result = { success: true };
      } else if (method === 'getpeerinfo')
        result = [...peers.values()].filter((p) => p.verack).map((p) => ({ id: p.id, addr: p.addr, network: 'ipv4', inbound: p.inbound, connection_type: p.connType, version: p.version, subver: p.subver, services: '0000000000000009', conntime: p.conntime, bytessent: 0, bytesrecv: 0, addr_processed: p.addrProcessed }));
      else if (method === 'getaddrmaninfo') result = { all_networks: { new: 0, tried: 0, total: 0 } };
      else if (method === 'stop') {
        result = 'Bitcoin Core stopping';
        setTimeout(() => process.exit(0), 50);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result, error: null, id }));
    });
  })
  .listen(rpcPort, '127.0.0.1');
