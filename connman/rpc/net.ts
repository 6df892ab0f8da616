// Core's network RPCs (rpc/net.cpp) over a built node: the same names, arguments, checks in the
// same order, error codes and messages, and JSON results with Core's keys in Core's order. Each is
// an RpcMethod (util.ts) so that callRpc can check arguments as Core's RPCMethod does; NodeRpc
// offers them as typed methods. Fields the port keeps no state for are printed with the value a
// node without that state prints (see PORTING.md, "The RPC surface"). It does not hold the
// test-only clock RPCs (setmocktime lives with the test harness's clock) nor any transport.

import type { AddrMan } from '../addrman/addrman.ts';
import { getAddrmanInfo, getRawAddrman, type NewTriedTotal, type RawAddrmanEntry } from '../addrman/rpc.ts';
import { BanMan } from '../net/banman.ts';
import { ConnectionDirection, type BanList, type Connman, type NodeStats } from '../net/connman.ts';
import type { ConnmanOptions } from '../net/options.ts';
import type { BlockRelay } from '../net_processing/blocks.ts';
import type { PeerManager } from '../net_processing/peerman.ts';
import { ConnectionType, transportTypeAsString, TransportProtocolType } from '../protocol/connection-types.ts';
import { MESSAGE_HEADER_SIZE, MESSAGE_TYPE_SIZE, PROTOCOL_VERSION, type P2PMessage } from '../protocol/messages.ts';
import { NET_INTERNAL, NET_MAX, NET_UNROUTABLE, parseNetAddr, Service, type Network } from '../protocol/netaddress.ts';
import { getNetworkName, maybeFlipServiceToCJDNS, parseNetwork } from '../protocol/netbase.ts';
import { permissionsToStrings } from '../protocol/net-permissions.ts';
import { Address, NODE_NETWORK, NODE_P2P_V2, NODE_WITNESS, serviceFlagsToStr } from '../protocol/protocol.ts';
import { lookupSubNet, SubNet } from '../protocol/subnet.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';
import {
  RPC_CLIENT_INVALID_IP_OR_SUBNET,
  RPC_CLIENT_NODE_ALREADY_ADDED,
  RPC_CLIENT_NODE_CAPACITY_REACHED,
  RPC_CLIENT_NODE_NOT_ADDED,
  RPC_CLIENT_NODE_NOT_CONNECTED,
  RPC_DATABASE_ERROR,
  RPC_INVALID_PARAMETER,
  RPC_INVALID_PARAMS,
  RPC_METHOD_NOT_FOUND,
  RPC_MISC_ERROR,
  RPCError,
} from './protocol.ts';
import { callMethod, getInt, helpText, trimString, usageLine, type RpcMethod } from './util.ts';

/** What the RPCs read and drive: a built node (init.ts NodeContext has these members). */
export interface RpcNode {
  readonly options: ConnmanOptions;
  readonly connman: Connman;
  readonly peerman: PeerManager;
  readonly addrman: AddrMan;
  readonly banman: BanList;
  readonly blocks: BlockRelay | null;
}

/** Core: clientversion.h CLIENT_VERSION for 31.99.0 (10000 × major + 100 × minor + build). */
export const CLIENT_VERSION = 319900;
/** Core: net_processing.h DEFAULT_TX_SEND_RATE */
export const DEFAULT_TX_SEND_RATE = 14;
/** Core: policy/policy.h DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE (sat/kvB). */
const DEFAULT_MIN_RELAY_TX_FEE = 100;
const DEFAULT_INCREMENTAL_RELAY_FEE = 100;
/** Core: netbase.h LOCAL_MANUAL (the score of an -externalip address in mapLocalHost). */
const LOCAL_MANUAL = 4;

/** One getpeerinfo entry: Core's keys in Core's order (optional ones only when Core prints them). */
export interface PeerInfo {
  id: number;
  addr: string;
  addrbind?: string;
  addrlocal?: string;
  network: string;
  mapped_as?: number;
  services: string;
  servicesnames: string[];
  relaytxes: boolean;
  last_inv_sequence: number;
  inv_to_send: number;
  lastsend: number;
  lastrecv: number;
  last_transaction: number;
  last_block: number;
  bytessent: number;
  bytesrecv: number;
  conntime: number;
  timeoffset: number;
  pingtime?: number;
  minping?: number;
  pingwait?: number;
  version: number;
  subver: string;
  inbound: boolean;
  bip152_hb_to: boolean;
  bip152_hb_from: boolean;
  presynced_headers: number;
  synced_headers: number;
  synced_blocks: number;
  inflight: number[];
  addr_relay_enabled: boolean;
  addr_processed: number;
  addr_rate_limited: number;
  permissions: string[];
  minfeefilter: number;
  bytessent_per_msg: Record<string, number>;
  bytesrecv_per_msg: Record<string, number>;
  connection_type: string;
  transport_protocol_type: string;
  session_id: string;
}

export interface NetTotals {
  totalbytesrecv: number;
  totalbytessent: number;
  timemillis: number;
  uploadtarget: {
    timeframe: number;
    target: number;
    target_reached: boolean;
    serve_historical_blocks: boolean;
    bytes_left_in_cycle: number;
    time_left_in_cycle: number;
  };
}

export interface NetworkInfo {
  version: number;
  subversion: string;
  protocolversion: number;
  localservices: string;
  localservicesnames: string[];
  localrelay: boolean;
  timeoffset: number;
  tx_send_rate: number;
  inv_buckets: Record<'inbound' | 'outbound', { backlog: number; count_tok: number; size_tok: number }>;
  networkactive: boolean;
  connections: number;
  connections_in: number;
  connections_out: number;
  networks: { name: string; limited: boolean; reachable: boolean; proxy: string; proxy_randomize_credentials: boolean }[];
  relayfee: number;
  incrementalfee: number;
  localaddresses: { address: string; port: number; score: number }[];
  warnings: string[];
}

export interface BannedEntry {
  address: string;
  ban_created: number;
  banned_until: number;
  ban_duration: number;
  time_remaining: number;
}

export interface NodeAddress {
  time: number;
  services: number;
  address: string;
  port: number;
  network: string;
}

export interface AddedNodeInfoJson {
  addednode: string;
  connected: boolean;
  addresses: { address: string; connected: 'inbound' | 'outbound' }[];
}

/** "%016x" of a services bit field. */
function hex16(v: number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}

/** A per-message-type byte map as Core prints it: non-zero counts only, in std::map (byte) order. */
function perMsgJson(m: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = m.get(k)!;
    if (v > 0) out[k] = v;
  }
  return out;
}

/** Core: rpc/server_util.cpp EnsureBanman / EnsureAnyBanman */
function ensureBanman(node: RpcNode): BanMan {
  if (!(node.banman instanceof BanMan)) throw new RPCError(RPC_DATABASE_ERROR, 'Error: Ban database not loaded');
  return node.banman;
}

/** The getpeerinfo fields Core takes from the PeerManager's per-peer state (CNodeStateStats) beyond NodeStats. */
export interface PeerStateStats {
  invToSend: number;
  timeOffsetSeconds: number;
  syncedHeaders: number;
  syncedBlocks: number;
  inflight: number[];
}

/** A peer without block or tx state: what Core prints before any header or inventory. */
export const EMPTY_PEER_STATE: Readonly<PeerStateStats> = Object.freeze({ invToSend: 0, timeOffsetSeconds: 0, syncedHeaders: -1, syncedBlocks: -1, inflight: [] });

// Core: rpc/net.cpp getpeerinfo
export function getpeerinfo(node: RpcNode): PeerInfo[] {
  return node.connman.getNodeStats().map((s) => {
    const blockStats = node.blocks?.peerStats(s.nodeid) ?? EMPTY_PEER_STATE;
    return peerInfoJson(s, {
      ...blockStats,
      invToSend: node.peerman.tx.queuedFor(s.nodeid),
      timeOffsetSeconds: node.connman.getNode(s.nodeid)?.timeOffsetSeconds ?? 0,
    });
  });
}

/** One peer's getpeerinfo object, keys in Core's order. */
// Core: rpc/net.cpp getpeerinfo (the per-peer object)
export function peerInfoJson(s: NodeStats, st: Readonly<PeerStateStats> = EMPTY_PEER_STATE): PeerInfo {
  const o: Record<string, unknown> = {};
  o.id = s.nodeid;
  o.addr = s.addr;
  if (s.addrBind !== '') o.addrbind = s.addrBind;
  if (s.addrLocal !== '') o.addrlocal = s.addrLocal;
  o.network = getNetworkName(s.network);
  if (s.mappedAs !== 0) o.mapped_as = s.mappedAs;
  o.services = hex16(s.services);
  o.servicesnames = serviceFlagsToStr(s.services);
  o.relaytxes = s.relayTxs;
  o.last_inv_sequence = 0;
  o.inv_to_send = st.invToSend;
  o.lastsend = s.lastSendSeconds;
  o.lastrecv = s.lastRecvSeconds;
  o.last_transaction = s.lastTxSeconds;
  o.last_block = s.lastBlockSeconds;
  o.bytessent = s.bytesSent;
  o.bytesrecv = s.bytesRecv;
  o.conntime = s.conntimeSeconds;
  o.timeoffset = st.timeOffsetSeconds;
  if (s.pingTimeMicros > 0) o.pingtime = s.pingTimeMicros / MICROS_PER_SECOND;
  if (Number.isFinite(s.minPingMicros)) o.minping = s.minPingMicros / MICROS_PER_SECOND;
  if (s.pingWaitMicros !== null && s.pingWaitMicros > 0) o.pingwait = s.pingWaitMicros / MICROS_PER_SECOND;
  o.version = s.version;
  o.subver = s.subver;
  o.inbound = s.inbound;
  o.bip152_hb_to = false;
  o.bip152_hb_from = false;
  o.presynced_headers = -1;
  o.synced_headers = st.syncedHeaders;
  o.synced_blocks = st.syncedBlocks;
  o.inflight = [...st.inflight];
  o.addr_relay_enabled = s.addrRelayEnabled;
  o.addr_processed = s.addrProcessed;
  o.addr_rate_limited = s.addrRateLimited;
  o.permissions = permissionsToStrings(s.permissions);
  o.minfeefilter = 0;
  o.bytessent_per_msg = perMsgJson(s.bytesSentPerMsg);
  o.bytesrecv_per_msg = perMsgJson(s.bytesRecvPerMsg);
  o.connection_type = s.connType;
  // The port's wire is plaintext v1 (no BIP324): Core prints an empty session id for v1.
  o.transport_protocol_type = transportTypeAsString(TransportProtocolType.V1);
  o.session_id = '';
  return o as unknown as PeerInfo;
}

/** Core: rpc/net.cpp GetNetworksInfo */
function networksInfo(node: RpcNode): NetworkInfo['networks'] {
  const out: NetworkInfo['networks'] = [];
  const reachable = node.connman.getReachableNetworks();
  for (let n = 0; n < NET_MAX; n++) {
    const net = n as Network;
    if (net === NET_UNROUTABLE || net === NET_INTERNAL) continue;
    const name = getNetworkName(net);
    const proxy = name === 'onion' ? node.options.onionProxyDescription : name === 'i2p' ? '' : node.options.proxyDescription;
    out.push({ name, limited: !reachable.has(net), reachable: reachable.has(net), proxy, proxy_randomize_credentials: proxy !== '' });
  }
  return out;
}

/** Satoshis to Core's ValueFromAmount (BTC as a JSON number). */
function valueFromAmount(sats: number): number {
  return sats / 1e8;
}

// Core: rpc/net.cpp getnetworkinfo
export function getnetworkinfo(node: RpcNode): NetworkInfo {
  const services = node.connman.getLocalServices();
  const bucket = { backlog: 0, count_tok: 0, size_tok: 0 };
  return {
    version: CLIENT_VERSION,
    subversion: node.options.subVersion,
    protocolversion: PROTOCOL_VERSION,
    localservices: hex16(services),
    localservicesnames: serviceFlagsToStr(services),
    localrelay: !node.options.blocksOnly,
    timeoffset: 0,
    tx_send_rate: DEFAULT_TX_SEND_RATE,
    inv_buckets: { inbound: { ...bucket }, outbound: { ...bucket } },
    networkactive: node.connman.getNetworkActive(),
    connections: node.connman.getNodeCount(ConnectionDirection.Both),
    connections_in: node.connman.getNodeCount(ConnectionDirection.In),
    connections_out: node.connman.getNodeCount(ConnectionDirection.Out),
    networks: networksInfo(node),
    relayfee: valueFromAmount(DEFAULT_MIN_RELAY_TX_FEE),
    incrementalfee: valueFromAmount(DEFAULT_INCREMENTAL_RELAY_FEE),
    localaddresses: node.options.localAddresses.map((a) => ({ address: a.toStringAddr(), port: a.port, score: LOCAL_MANUAL })),
    warnings: [],
  };
}

// Core: rpc/net.cpp getnettotals
export function getnettotals(node: RpcNode): NetTotals {
  const c = node.connman;
  return {
    totalbytesrecv: c.getTotalBytesRecv(),
    totalbytessent: c.getTotalBytesSent(),
    // Core reads the system clock here (not mocked); the port has only the node clock.
    timemillis: Math.floor(node.connman.nowMicros() / 1000),
    uploadtarget: {
      timeframe: Math.floor(c.getMaxOutboundTimeframe() / MICROS_PER_SECOND),
      target: c.getMaxOutboundTarget(),
      target_reached: c.outboundTargetReached(false),
      serve_historical_blocks: !c.outboundTargetReached(true),
      bytes_left_in_cycle: c.getOutboundTargetBytesLeft(),
      time_left_in_cycle: Math.floor(c.getMaxOutboundTimeLeftInCycle() / MICROS_PER_SECOND),
    },
  };
}

/** The single address or subnet of a setban argument, as Core parses it (null when invalid). */
function parseBanTarget(node: RpcNode, text: string): SubNet | null {
  if (!text.includes('/')) {
    const a = parseNetAddr(text);
    if (!a.ok) return null;
    const addr = maybeFlipServiceToCJDNS(Service.of(a.value, 0), node.connman.getReachableNetworks());
    if (!addr.isValid()) return null;
    return SubNet.single(addr);
  }
  const s = lookupSubNet(text, node.connman.getReachableNetworks());
  return s.isValid() ? s : null;
}

function nowSeconds(node: RpcNode): number {
  return Math.floor(node.connman.nowMicros() / MICROS_PER_SECOND);
}

/** Every network RPC, by Core's name. */
export const NET_RPC_METHODS: readonly RpcMethod<RpcNode>[] = [
  {
    name: 'getconnectioncount',
    category: 'network',
    description: 'Returns the number of connections to other nodes.',
    args: [],
    // Core: rpc/net.cpp getconnectioncount
    run: (node) => node.connman.getNodeCount(ConnectionDirection.Both),
  },
  {
    name: 'ping',
    category: 'network',
    description:
      'Requests that a ping be sent to all other nodes, to measure ping time.\nResults are provided in getpeerinfo.\nPing command is handled in queue with all other commands, so it measures processing backlog, not just network ping.',
    args: [],
    // Core: rpc/net.cpp ping (PeerManager::SendPings)
    run: (node) => {
      node.connman.sendPings();
      return null;
    },
  },
  {
    name: 'getpeerinfo',
    category: 'network',
    description: 'Returns data about each connected network peer as a json array of objects.',
    args: [],
    run: (node) => getpeerinfo(node),
  },
  {
    name: 'addnode',
    category: 'network',
    description:
      "Attempts to add or remove a node from the addnode list.\nOr try a connection to a node once.\nNodes added using addnode (or -connect) are protected from DoS disconnection and are not required to be\nfull nodes/support SegWit as other outbound peers are (though such peers will not be synced from).\nAddnode connections are limited to 8 at a time and are counted separately from the -maxconnections limit.",
    args: [
      { name: 'node', type: 'str', optional: false },
      { name: 'command', type: 'str', optional: false },
      { name: 'v2transport', type: 'bool', optional: true },
    ],
    // Core: rpc/net.cpp addnode
    run: (node, [nodeArg, command, v2], self) => {
      if (command !== 'onetry' && command !== 'add' && command !== 'remove') throw new RPCError(RPC_MISC_ERROR, helpText(self));
      const dest = nodeArg as string;
      if (trimString(dest) === '') throw new RPCError(RPC_INVALID_PARAMETER, 'Error: Node address cannot be empty');
      const nodeV2 = (node.connman.getLocalServices() & NODE_P2P_V2) !== 0;
      const useV2 = (v2 as boolean | undefined) ?? nodeV2;
      if (useV2 && !nodeV2) throw new RPCError(RPC_INVALID_PARAMETER, 'Error: v2transport requested but not enabled (see -v2transport)');
      if (command === 'onetry') {
        node.connman.openNetworkConnection(null, false, 'none', dest, ConnectionType.MANUAL);
        return null;
      }
      if (command === 'add') {
        if (!node.connman.addNode(dest, useV2)) throw new RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, 'Error: Node already added');
      } else if (!node.connman.removeAddedNode(dest)) {
        throw new RPCError(RPC_CLIENT_NODE_NOT_ADDED, 'Error: Node could not be removed. It has not been added previously.');
      }
      return null;
    },
  },
  {
    name: 'addconnection',
    category: 'hidden',
    description: 'Open an outbound connection to a specified node. This RPC is for testing only.',
    args: [
      { name: 'address', type: 'str', optional: false },
      { name: 'connection_type', type: 'str', optional: false },
      { name: 'v2transport', type: 'bool', optional: false },
    ],
    // Core: rpc/net.cpp addconnection
    run: (node, [address, connType, v2], self) => {
      if (node.options.chain !== 'regtest') throw new RPCError(RPC_MISC_ERROR, 'addconnection is for regression testing (-regtest mode) only.');
      const typeIn = trimString(connType as string);
      const types: Record<string, ConnectionType> = {
        'outbound-full-relay': ConnectionType.OUTBOUND_FULL_RELAY,
        'block-relay-only': ConnectionType.BLOCK_RELAY,
        'addr-fetch': ConnectionType.ADDR_FETCH,
        feeler: ConnectionType.FEELER,
      };
      const type = types[typeIn];
      if (type === undefined) throw new RPCError(RPC_INVALID_PARAMETER, helpText(self));
      if ((v2 as boolean) && (node.connman.getLocalServices() & NODE_P2P_V2) === 0) {
        throw new RPCError(RPC_INVALID_PARAMETER, 'Error: Adding v2transport connections requires -v2transport init flag to be set.');
      }
      if (!node.connman.addConnection(address as string, type)) {
        throw new RPCError(RPC_CLIENT_NODE_CAPACITY_REACHED, 'Error: Already at capacity for specified connection type.');
      }
      return { address: address as string, connection_type: typeIn };
    },
  },
  {
    name: 'disconnectnode',
    category: 'network',
    description:
      "Immediately disconnects from the specified peer node.\n\nStrictly one out of 'address' and 'nodeid' can be provided to identify the node.\n\nTo disconnect by nodeid, either set 'address' to the empty string, or call using the named 'nodeid' argument only.",
    args: [
      { name: 'address', type: 'str', optional: true },
      { name: 'nodeid', type: 'num', optional: true },
    ],
    // Core: rpc/net.cpp disconnectnode
    run: (node, [address, nodeid]) => {
      let ok: boolean;
      if (address !== undefined && nodeid === undefined) ok = node.connman.disconnectNode(address as string);
      else if (nodeid !== undefined && (address === undefined || address === '')) ok = node.connman.disconnectNode(getInt(nodeid, -(2 ** 53), 2 ** 53));
      else throw new RPCError(RPC_INVALID_PARAMS, 'Only one of address and nodeid should be provided.');
      if (!ok) throw new RPCError(RPC_CLIENT_NODE_NOT_CONNECTED, 'Node not found in connected nodes');
      return null;
    },
  },
  {
    name: 'getaddednodeinfo',
    category: 'network',
    description: 'Returns information about the given added node, or all added nodes\n(note that onetry addnodes are not listed here)',
    args: [{ name: 'node', type: 'str', optional: true }],
    // Core: rpc/net.cpp getaddednodeinfo
    run: (node, [filter]): AddedNodeInfoJson[] => {
      let info = node.connman.getAddedNodeInfo(true);
      if (filter !== undefined) {
        const hit = info.find((i) => i.params.addedNode === filter);
        if (hit === undefined) throw new RPCError(RPC_CLIENT_NODE_NOT_ADDED, 'Error: Node has not been added.');
        info = [hit];
      }
      return info.map((i) => ({
        addednode: i.params.addedNode,
        connected: i.connected,
        addresses: i.connected && i.resolvedAddress !== null ? [{ address: i.resolvedAddress.toStringAddrPort(), connected: i.inbound ? 'inbound' : 'outbound' }] : [],
      }));
    },
  },
  {
    name: 'getnettotals',
    category: 'network',
    description: 'Returns information about network traffic, including bytes in, bytes out,\nand current system time.',
    args: [],
    run: (node) => getnettotals(node),
  },
  {
    name: 'getnetworkinfo',
    category: 'network',
    description: 'Returns an object containing various state info regarding P2P networking.',
    args: [],
    run: (node) => getnetworkinfo(node),
  },
  {
    name: 'setban',
    category: 'network',
    description: 'Attempts to add or remove an IP/Subnet from the banned list.',
    args: [
      { name: 'subnet', type: 'str', optional: false },
      { name: 'command', type: 'str', optional: false },
      { name: 'bantime', type: 'num', optional: true },
      { name: 'absolute', type: 'bool', optional: true },
    ],
    // Core: rpc/net.cpp setban
    run: (node, [subnetArg, command, bantime, absolute], self) => {
      if (command !== 'add' && command !== 'remove') throw new RPCError(RPC_MISC_ERROR, helpText(self));
      const banman = ensureBanman(node);
      const text = subnetArg as string;
      const isSubnet = text.includes('/');
      const target = parseBanTarget(node, text);
      if (target === null) throw new RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, 'Error: Invalid IP/Subnet');
      if (command === 'add') {
        if (isSubnet ? banman.isBannedSubnet(target) : banman.isBanned(target.network)) {
          throw new RPCError(RPC_CLIENT_NODE_ALREADY_ADDED, 'Error: IP/Subnet already banned');
        }
        const banTime = bantime === undefined ? 0 : getInt(bantime, -(2 ** 53), 2 ** 53);
        const abs = (absolute as boolean | undefined) ?? false;
        if (abs && banTime < nowSeconds(node)) throw new RPCError(RPC_INVALID_PARAMETER, 'Error: Absolute timestamp is in the past');
        banman.ban(target, banTime, abs);
        node.connman.disconnectNodeBySubnet(target);
      } else if (!banman.unban(target)) {
        throw new RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, 'Error: Unban failed. Requested address/subnet was not previously manually banned.');
      }
      return null;
    },
  },
  {
    name: 'listbanned',
    category: 'network',
    description: 'List all manually banned IPs/Subnets.',
    args: [],
    // Core: rpc/net.cpp listbanned
    run: (node): BannedEntry[] => {
      const banman = ensureBanman(node);
      const list = banman.getBanned();
      const now = nowSeconds(node);
      return list.map(({ subnet, entry }) => ({
        address: subnet.toString(),
        ban_created: entry.createTime,
        banned_until: entry.banUntil,
        ban_duration: entry.banUntil - entry.createTime,
        time_remaining: entry.banUntil - now,
      }));
    },
  },
  {
    name: 'clearbanned',
    category: 'network',
    description: 'Clear all banned IPs.',
    args: [],
    // Core: rpc/net.cpp clearbanned
    run: (node) => {
      ensureBanman(node).clearBanned();
      return null;
    },
  },
  {
    name: 'setnetworkactive',
    category: 'network',
    description: 'Disable/enable all p2p network activity.',
    args: [{ name: 'state', type: 'bool', optional: false }],
    // Core: rpc/net.cpp setnetworkactive
    run: (node, [state]) => {
      node.connman.setNetworkActive(state as boolean);
      return node.connman.getNetworkActive();
    },
  },
  {
    name: 'getnodeaddresses',
    category: 'network',
    description:
      'Return known addresses, after filtering for quality and recency.\nThese can potentially be used to find new peers in the network.\nThe total number of addresses known to the node may be higher.',
    args: [
      { name: 'count', type: 'num', optional: true },
      { name: 'network', type: 'str', optional: true },
    ],
    // Core: rpc/net.cpp getnodeaddresses
    run: (node, [countArg, networkArg]): NodeAddress[] => {
      const count = countArg === undefined ? 1 : getInt(countArg, -(2 ** 31), 2 ** 31 - 1);
      if (count < 0) throw new RPCError(RPC_INVALID_PARAMETER, 'Address count out of range');
      let network: Network | null = null;
      if (networkArg !== undefined) {
        network = parseNetwork(networkArg as string);
        if (network === NET_UNROUTABLE) throw new RPCError(RPC_INVALID_PARAMETER, `Network not recognized: ${networkArg as string}`);
      }
      return node.connman.getAddressesUnsafe(count, 0, network).map((a) => ({
        time: a.time,
        services: a.services,
        address: a.toStringAddr(),
        port: a.port,
        network: getNetworkName(a.getNetClass()),
      }));
    },
  },
  {
    name: 'addpeeraddress',
    category: 'hidden',
    description: 'Add the address of a potential peer to an address manager table. This RPC is for testing only.',
    args: [
      { name: 'address', type: 'str', optional: false },
      { name: 'port', type: 'num', optional: false },
      { name: 'tried', type: 'bool', optional: true },
    ],
    // Core: rpc/net.cpp addpeeraddress
    run: (node, [addrArg, portArg, triedArg]): { error?: string; success: boolean } => {
      const port = getInt(portArg, 0, 65535);
      const tried = (triedArg as boolean | undefined) ?? false;
      const parsed = parseNetAddr(addrArg as string);
      if (!parsed.ok) throw new RPCError(RPC_CLIENT_INVALID_IP_OR_SUBNET, 'Invalid IP address');
      const service = maybeFlipServiceToCJDNS(Service.of(parsed.value, port), node.connman.getReachableNetworks());
      const address = new Address(service, NODE_NETWORK | NODE_WITNESS, nowSeconds(node));
      const obj: { error?: string; success: boolean } = {} as { success: boolean };
      let success = false;
      // The source is the address itself, as if the peer announced itself.
      if (node.addrman.add([address], address)) {
        success = true;
        if (tried && !node.addrman.good(address)) {
          success = false;
          obj.error = 'failed-adding-to-tried';
        }
        node.connman.addressesAdded();
      } else {
        obj.error = 'failed-adding-to-new';
      }
      obj.success = success;
      return obj;
    },
  },
  {
    name: 'sendmsgtopeer',
    category: 'hidden',
    description: 'Send a p2p message to a peer specified by id.\nThe message type and body must be provided, the message header will be generated.\nThis RPC is for testing only.',
    args: [
      { name: 'peer_id', type: 'num', optional: false },
      { name: 'msg_type', type: 'str', optional: false },
      { name: 'msg', type: 'str_hex', optional: false },
    ],
    // Core: rpc/net.cpp sendmsgtopeer
    run: (node, [peerId, msgType, hex]) => {
      const id = getInt(peerId, -(2 ** 53), 2 ** 53);
      const type = msgType as string;
      if (type.length > MESSAGE_TYPE_SIZE) throw new RPCError(RPC_INVALID_PARAMETER, `Error: msg_type too long, max length is ${MESSAGE_TYPE_SIZE}`);
      const h = hex as string;
      if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new RPCError(RPC_INVALID_PARAMETER, 'Error parsing input for msg');
      // The port's messages carry their size, not their bytes: a raw message is its type and payload size.
      const msg = { type, sizeBytes: MESSAGE_HEADER_SIZE + h.length / 2, rawPayloadHex: h } as unknown as P2PMessage;
      const ok = node.connman.forNode(id, (n) => {
        node.connman.pushMessage(n, msg);
        return true;
      });
      if (!ok) throw new RPCError(RPC_MISC_ERROR, 'Error: Could not send message to peer');
      return {};
    },
  },
  {
    name: 'getaddrmaninfo',
    category: 'network',
    description: "Provides information about the node's address manager by returning the number of addresses in the `new` and `tried` tables and their sum for all networks.",
    args: [],
    run: (node): Record<string, NewTriedTotal> => getAddrmanInfo(node.addrman),
  },
  {
    name: 'getrawaddrman',
    category: 'hidden',
    description: 'EXPERIMENTAL warning: this call may be changed in future releases.\n\nReturns information on all address manager entries for the new and tried tables.',
    args: [],
    run: (node): { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> } => getRawAddrman(node.addrman, node.connman.netgroupman),
  },
];

const BY_NAME: ReadonlyMap<string, RpcMethod<RpcNode>> = new Map(NET_RPC_METHODS.map((m) => [m.name, m]));

/**
 * Calls a network RPC by name with positional or named arguments, as bitcoin-cli would: unknown
 * methods fail with -32601 "Method not found", bad arguments with Core's errors.
 */
export function callRpc(node: RpcNode, method: string, params: readonly unknown[] | Readonly<Record<string, unknown>> = []): unknown {
  const m = BY_NAME.get(method);
  if (m === undefined) throw new RPCError(RPC_METHOD_NOT_FOUND, 'Method not found');
  return callMethod(m, node, params);
}

/** `help` / `help <method>`: the list of non-hidden methods, or one method's usage and description. */
// Core: rpc/server.cpp CRPCTable::help
export function rpcHelp(method?: string): string {
  if (method === undefined) {
    return `== Network ==\n${NET_RPC_METHODS.filter((m) => m.category === 'network').map((m) => usageLine(m)).join('\n')}`;
  }
  const m = BY_NAME.get(method);
  return m === undefined ? `help: unknown command: ${method}` : helpText(m);
}

/**
 * The network RPCs of one node as typed methods with Core's names and positional arguments. Built
 * over a node, or over a function that finds the node at each call (a scenario script's handle
 * outlives a restart of the node it names).
 */
export class NodeRpc {
  private readonly find: () => RpcNode;
  constructor(node: RpcNode | (() => RpcNode)) {
    this.find = typeof node === 'function' ? node : () => node;
  }
  /** The node the next call runs on. */
  get node(): RpcNode {
    return this.find();
  }
  /** Any RPC by name, with positional or named arguments (type-checked as Core does). */
  call(method: string, params: readonly unknown[] | Readonly<Record<string, unknown>> = []): unknown {
    return callRpc(this.find(), method, params);
  }
  help(method?: string): string {
    return rpcHelp(method);
  }
  getconnectioncount(): number {
    return this.call('getconnectioncount') as number;
  }
  ping(): null {
    return this.call('ping') as null;
  }
  getpeerinfo(): PeerInfo[] {
    return this.call('getpeerinfo') as PeerInfo[];
  }
  addnode(node: string, command: 'add' | 'remove' | 'onetry' | string, v2transport?: boolean): null {
    return this.call('addnode', v2transport === undefined ? [node, command] : [node, command, v2transport]) as null;
  }
  addconnection(address: string, connectionType: string, v2transport = false): { address: string; connection_type: string } {
    return this.call('addconnection', [address, connectionType, v2transport]) as { address: string; connection_type: string };
  }
  disconnectnode(args: { address?: string; nodeid?: number }): null {
    return this.call('disconnectnode', args) as null;
  }
  getaddednodeinfo(node?: string): AddedNodeInfoJson[] {
    return this.call('getaddednodeinfo', node === undefined ? [] : [node]) as AddedNodeInfoJson[];
  }
  getnettotals(): NetTotals {
    return this.call('getnettotals') as NetTotals;
  }
  getnetworkinfo(): NetworkInfo {
    return this.call('getnetworkinfo') as NetworkInfo;
  }
  setban(subnet: string, command: 'add' | 'remove' | string, bantime?: number, absolute?: boolean): null {
    const p: unknown[] = [subnet, command];
    if (bantime !== undefined || absolute !== undefined) p.push(bantime ?? 0);
    if (absolute !== undefined) p.push(absolute);
    return this.call('setban', p) as null;
  }
  listbanned(): BannedEntry[] {
    return this.call('listbanned') as BannedEntry[];
  }
  clearbanned(): null {
    return this.call('clearbanned') as null;
  }
  setnetworkactive(state: boolean): boolean {
    return this.call('setnetworkactive', [state]) as boolean;
  }
  getnodeaddresses(count?: number, network?: string): NodeAddress[] {
    const p: unknown[] = [];
    if (count !== undefined || network !== undefined) p.push(count ?? 1);
    if (network !== undefined) p.push(network);
    return this.call('getnodeaddresses', p) as NodeAddress[];
  }
  addpeeraddress(address: string, port: number, tried?: boolean): { error?: string; success: boolean } {
    return this.call('addpeeraddress', tried === undefined ? [address, port] : [address, port, tried]) as { error?: string; success: boolean };
  }
  sendmsgtopeer(peerId: number, msgType: string, msg: string): Record<string, never> {
    return this.call('sendmsgtopeer', [peerId, msgType, msg]) as Record<string, never>;
  }
  getaddrmaninfo(): Record<string, NewTriedTotal> {
    return this.call('getaddrmaninfo') as Record<string, NewTriedTotal>;
  }
  getrawaddrman(): { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> } {
    return this.call('getrawaddrman') as { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> };
  }
}
