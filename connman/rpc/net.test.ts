// Core's network RPCs (rpc/net.cpp) on a node over fake ports: getpeerinfo's object (keys, order,
// optional fields), Core's argument checks (named arguments, "Wrong type passed", "JSON integer out
// of range", help text on a bad command) and the errors each RPC throws. Whole-flow behaviour is in
// the conformance suite (../../testing/functional/).
import { describe, expect, it } from 'vitest';
import type { NodeStats } from '../net/connman.ts';
import { Network, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetPermissionFlags } from '../protocol/net-permissions.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { buildNode } from '../init.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { FastRandomContext } from '../util/random.ts';
import { callRpc, NodeRpc, peerInfoJson, rpcHelp } from './net.ts';
import { RPCError } from './protocol.ts';

function stats(over: Partial<NodeStats> = {}): NodeStats {
  return {
    nodeid: 7,
    addr: '1.2.3.4:8333',
    addrBind: '5.6.7.8:8333',
    addrLocal: '',
    connType: 'outbound-full-relay',
    network: Network.NET_IPV4,
    inbound: false,
    services: NODE_NETWORK | NODE_WITNESS,
    relayTxs: true,
    version: 70016,
    subver: '/Satoshi:27.0.0/',
    startingHeight: 0,
    conntimeSeconds: 1700000000,
    lastSendSeconds: 1700000010,
    lastRecvSeconds: 1700000011,
    lastBlockSeconds: 0,
    lastTxSeconds: 0,
    pingTimeMicros: 0,
    minPingMicros: Number.POSITIVE_INFINITY,
    pingWaitMicros: null,
    bytesSent: 100,
    bytesRecv: 200,
    bytesSentPerMsg: new Map([
      ['version', 126],
      ['verack', 24],
      ['addr', 0],
    ]),
    bytesRecvPerMsg: new Map([['version', 126]]),
    keyedNetGroup: 0n,
    mappedAs: 0,
    permissions: 0,
    successfullyConnected: true,
    addrRelayEnabled: true,
    addrProcessed: 3,
    addrRateLimited: 1,
    ...over,
  };
}

describe('peerInfoJson (Core rpc/net.cpp getpeerinfo)', () => {
  it("keeps Core's key order and leaves out unset optional fields", () => {
    const j = peerInfoJson(stats());
    expect(Object.keys(j)).toEqual([
      'id', 'addr', 'addrbind', 'network', 'services', 'servicesnames', 'relaytxes', 'last_inv_sequence', 'inv_to_send',
      'lastsend', 'lastrecv', 'last_transaction', 'last_block', 'bytessent', 'bytesrecv', 'conntime', 'timeoffset',
      'version', 'subver', 'inbound', 'bip152_hb_to', 'bip152_hb_from', 'presynced_headers', 'synced_headers',
      'synced_blocks', 'inflight', 'addr_relay_enabled', 'addr_processed', 'addr_rate_limited', 'permissions',
      'minfeefilter', 'bytessent_per_msg', 'bytesrecv_per_msg', 'connection_type', 'transport_protocol_type', 'session_id',
    ]);
    expect(j.services).toBe('0000000000000009');
    expect(j.servicesnames).toEqual(['NETWORK', 'WITNESS']);
    expect(j.network).toBe('ipv4');
    // Zero counts are dropped and the keys come in std::map order.
    expect(Object.keys(j.bytessent_per_msg)).toEqual(['verack', 'version']);
    expect(j.transport_protocol_type).toBe('v1');
  });

  it('prints pings in seconds, mapped_as, addrlocal and permissions only when set', () => {
    const j = peerInfoJson(
      stats({ pingTimeMicros: 120_000, minPingMicros: 80_000, pingWaitMicros: 2_500_000, mappedAs: 13335, addrLocal: '9.9.9.9:8333', permissions: NetPermissionFlags.NoBan, inbound: true, connType: 'inbound' }),
    );
    expect(j.pingtime).toBe(0.12);
    expect(j.minping).toBe(0.08);
    expect(j.pingwait).toBe(2.5);
    expect(j.mapped_as).toBe(13335);
    expect(j.addrlocal).toBe('9.9.9.9:8333');
    expect(j.permissions).toEqual(['noban', 'download']);
    expect(Object.keys(j).indexOf('mapped_as')).toBe(Object.keys(j).indexOf('network') + 1);
    expect(peerInfoJson(stats({ pingWaitMicros: 0 })).pingwait).toBeUndefined();
  });
});


function node(opts: Parameters<typeof buildNode>[1] = {}): NodeRpc {
  const sched = new FakeScheduler();
  const local = serviceOrThrow('1.2.3.4:18444', 18444);
  const ctx = buildNode(
    { clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport: new FakeTransport(sched, local), events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG },
    { chain: 'regtest', dnsSeed: false, fixedSeeds: false, connect: [], ...opts },
  );
  ctx.start();
  return new NodeRpc(ctx);
}

function rpcError(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof RPCError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('no RPC error');
}

describe("Core's argument checks", () => {
  it('a wrong JSON type names the position and both types (-3)', () => {
    const rpc = node();
    expect(rpcError(() => rpc.call('addpeeraddress', { address: '1.2.3.4', tried: 'True', port: 1234 }))).toEqual({
      code: -3,
      message: 'Wrong type passed:\n{\n    "Position 3 (tried)": "JSON value of type string is not of expected type bool"\n}',
    });
  });
  it('an out-of-range port is "JSON integer out of range" (-1); an unknown named argument -8; an unknown method -32601', () => {
    const rpc = node();
    expect(rpcError(() => rpc.call('addpeeraddress', { address: '1.2.3.4', port: -1 }))).toEqual({ code: -1, message: 'JSON integer out of range' });
    expect(rpcError(() => rpc.call('addpeeraddress', { address: '1.2.3.4', port: 65536 }))).toEqual({ code: -1, message: 'JSON integer out of range' });
    expect(rpcError(() => rpc.call('getpeerinfo', { verbose: true })).code).toBe(-8);
    expect(rpcError(() => callRpc(rpc.node, 'nosuchrpc'))).toEqual({ code: -32601, message: 'Method not found' });
  });
  it('a bad command answers with the help text (-1); too many arguments too', () => {
    const rpc = node();
    const e = rpcError(() => rpc.addnode('1.2.3.4', 'abc'));
    expect(e.code).toBe(-1);
    expect(e.message.startsWith('addnode "node" "command" ( v2transport )')).toBe(true);
    expect(rpcError(() => rpc.call('getconnectioncount', [1])).code).toBe(-1);
    expect(rpcHelp()).toContain('getpeerinfo');
    expect(rpcHelp()).not.toContain('addpeeraddress');
    expect(rpcHelp('addpeeraddress')).not.toContain('unknown command');
  });
});

describe('the errors of each RPC', () => {
  it('addnode, getaddednodeinfo, disconnectnode', () => {
    const rpc = node();
    for (const cmd of ['add', 'remove', 'onetry']) expect(rpcError(() => rpc.addnode(' ', cmd))).toEqual({ code: -8, message: 'Error: Node address cannot be empty' });
    rpc.addnode('127.0.0.1:11002', 'add');
    expect(rpcError(() => rpc.addnode('127.1:11002', 'add'))).toEqual({ code: -23, message: 'Error: Node already added' });
    expect(rpc.getaddednodeinfo()).toEqual([{ addednode: '127.0.0.1:11002', connected: false, addresses: [] }]);
    expect(rpcError(() => rpc.getaddednodeinfo('1.1.1.1'))).toEqual({ code: -24, message: 'Error: Node has not been added.' });
    rpc.addnode('127.0.0.1:11002', 'remove');
    expect(rpcError(() => rpc.addnode('127.0.0.1:11002', 'remove'))).toEqual({ code: -24, message: 'Error: Node could not be removed. It has not been added previously.' });
    expect(rpcError(() => rpc.disconnectnode({ address: 'a', nodeid: 1 }))).toEqual({ code: -32602, message: 'Only one of address and nodeid should be provided.' });
    expect(rpcError(() => rpc.disconnectnode({ address: '221B Baker Street' }))).toEqual({ code: -29, message: 'Node not found in connected nodes' });
  });
  it('setban / listbanned / clearbanned', () => {
    const rpc = node();
    rpc.setban('127.0.0.0/24', 'add');
    expect(rpcError(() => rpc.setban('127.0.0.1', 'add'))).toEqual({ code: -23, message: 'Error: IP/Subnet already banned' });
    expect(rpcError(() => rpc.setban('127.0.0.1/42', 'add'))).toEqual({ code: -30, message: 'Error: Invalid IP/Subnet' });
    expect(rpcError(() => rpc.setban('127.27.0.1', 'add', 123, true))).toEqual({ code: -8, message: 'Error: Absolute timestamp is in the past' });
    expect(rpcError(() => rpc.setban('127.0.0.1', 'remove'))).toEqual({ code: -30, message: 'Error: Unban failed. Requested address/subnet was not previously manually banned.' });
    expect(rpcError(() => rpc.setban('127.0.0.1', 'delete')).code).toBe(-1);
    expect(rpc.listbanned().map((b) => [b.address, b.ban_duration, b.time_remaining])).toEqual([['127.0.0.0/24', 86400, 86400]]);
    rpc.clearbanned();
    expect(rpc.listbanned()).toEqual([]);
  });
  it('getnodeaddresses and addpeeraddress', () => {
    const rpc = node({ deterministicAddrman: true });
    expect(rpcError(() => rpc.getnodeaddresses(-1))).toEqual({ code: -8, message: 'Address count out of range' });
    expect(rpcError(() => rpc.getnodeaddresses(1, 'Foo'))).toEqual({ code: -8, message: 'Network not recognized: Foo' });
    expect(rpcError(() => rpc.addpeeraddress('', 8333))).toEqual({ code: -30, message: 'Invalid IP address' });
    expect(rpcError(() => rpc.addpeeraddress('not_an_ip', 8333))).toEqual({ code: -30, message: 'Invalid IP address' });
    expect(rpc.addpeeraddress('1.0.0.0', 8333)).toEqual({ success: true });
    expect(rpc.addpeeraddress('1.0.0.0', 8333, true)).toEqual({ error: 'failed-adding-to-new', success: false });
    expect(rpc.getnodeaddresses(0).map((a) => [a.address, a.port, a.services, a.network])).toEqual([['1.0.0.0', 8333, 9, 'ipv4']]);
  });
  it('addconnection refuses a bad type (-8), v2 without -v2transport (-8), and a full type (-34)', () => {
    const rpc = node();
    expect(rpcError(() => rpc.addconnection('127.0.0.1:1', 'inbound')).code).toBe(-8);
    expect(rpcError(() => rpc.addconnection('127.0.0.1:1', 'outbound-full-relay', true))).toEqual({ code: -8, message: 'Error: Adding v2transport connections requires -v2transport init flag to be set.' });
    for (let i = 0; i < 8; i++) rpc.addconnection(`127.0.0.${i + 1}:1`, 'outbound-full-relay');
    expect(rpcError(() => rpc.addconnection('127.0.0.9:1', 'outbound-full-relay'))).toEqual({ code: -34, message: 'Error: Already at capacity for specified connection type.' });
    expect(rpc.addconnection(' 127.0.0.10:1', ' block-relay-only ')).toEqual({ address: ' 127.0.0.10:1', connection_type: 'block-relay-only' });
  });
  it('sendmsgtopeer', () => {
    const rpc = node();
    expect(rpcError(() => rpc.sendmsgtopeer(100, 'addr', 'FF'))).toEqual({ code: -1, message: 'Error: Could not send message to peer' });
    expect(rpcError(() => rpc.sendmsgtopeer(0, 'long_msg_type', 'FF'))).toEqual({ code: -8, message: 'Error: msg_type too long, max length is 12' });
    expect(rpcError(() => rpc.sendmsgtopeer(0, 'addr', 'F'))).toEqual({ code: -8, message: 'Error parsing input for msg' });
  });
  it('getnetworkinfo: the networks, the local services and the counts', () => {
    const info = node().getnetworkinfo();
    expect(Object.keys(info).slice(0, 9)).toEqual(['version', 'subversion', 'protocolversion', 'localservices', 'localservicesnames', 'localrelay', 'timeoffset', 'tx_send_rate', 'inv_buckets']);
    expect(info.networks.map((n) => n.name)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns']);
    expect(info.localservices).toBe('0000000000000409');
    expect(info.localservicesnames).toEqual(['NETWORK', 'WITNESS', 'NETWORK_LIMITED']);
    expect([info.connections, info.connections_in, info.connections_out, info.networkactive]).toEqual([0, 0, 0, true]);
  });
});
