// The public API of the port (`connsim/connman`): the composition root that builds a node, the
// ports a node runs over, and the Core classes a study drives or reads. Import from here rather
// than from the individual files; the files are named after Core's (see connman/PORTING.md).

export { buildNode, InitError, NodeContext, resolveNodeOptions, type NodeSetup } from './init.ts';
export type {
  Clock,
  CloseReason,
  DebugLog,
  LogCategory,
  ConnectFailure,
  ConnectRefusal,
  ConnHandle,
  ConnmanEvent,
  DnsSeedResolver,
  EventSink,
  FileStore,
  InboundDropReason,
  KeepAlive,
  KeepAliveLink,
  KeepAliveOwner,
  Micros,
  NodeClock,
  NodePorts,
  RemoteCloseReason,
  Rng,
  Scheduler,
  TimerHandle,
  Transport,
  TransportHandlers,
} from './ports.ts';
export { CORE_KEEP_ALIVE } from './net/keep-alive.ts';

export { Connman, type BanList, type ConnmanDeps, type MsgTotal, type MsgTotals, type NodeStats } from './net/connman.ts';
export { computeSlots, defaultConnmanOptions, type ConnectionSlots, type ConnmanOptions } from './net/options.ts';
export { Node, type NodeId } from './net/node.ts';
export { BanMan } from './net/banman.ts';
export { selectNodeToEvict, type NodeEvictionCandidate } from './net/eviction.ts';
export { PeerManager, type PeerManagerHost } from './net_processing/peerman.ts';
export { BlockRelay, StaticChain, type BlockRelayOptions } from './net_processing/blocks.ts';
export { PeerTxRelay, txDataMessage, type TxDataMessage } from './net_processing/tx.ts';

export { AddrMan, DETERMINISTIC_ADDRMAN_KEY, type AddrManOptions } from './addrman/addrman.ts';
export { AddressPool } from './addrman/address-pool.ts';
export { dumpAnchors, loadPeerAddresses, PEERS_DAT_MASTER, readAnchors, type ChainName, type PeersDatFormat } from './addrman/addrdb.ts';
export { getAddrmanInfo, getRawAddrman } from './addrman/rpc.ts';
export { LegacyAddrMan } from './profiles/addrman-legacy.ts';

export { NetGroupManager } from './netgroup/netgroup.ts';
export { AsmapError, AsmapLookup, checkStandardAsmap } from './netgroup/asmap.ts';

export { ConnectionType, connectionTypeAsString } from './protocol/connection-types.ts';
export { BIP155Network, NetAddr, Network, Service, parseNetAddr, parseService, serviceOrThrow } from './protocol/netaddress.ts';
export { Address, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_NONE, NODE_P2P_V2, NODE_WITNESS, type ServiceFlags } from './protocol/protocol.ts';
export * from './protocol/messages.ts';
export { BlockRelay as BlockPart, blockHashHex, type BlockRef, type BlockHeadersMessage, type BlockGetDataMessage, type BlockDataMessage } from './net_processing/blocks.ts';
export { lookupNumeric } from './protocol/netaddress.ts';
export { lookupSubNet, SubNet } from './protocol/subnet.ts';
export { BANLIST_JSON, type BanEntry, type BannedSubnet } from './net/banman.ts';
export { ANCHORS_DAT, PEERS_DAT } from './net/connman.ts';
export { NO_DEBUG_LOG, Logger, hex08, formatLogLine, formatIso8601 } from './util/logging.ts';
export { TimerQueue } from './util/timer-queue.ts';
export { sha256d } from './util/hash.ts';
export { MemoryFiles } from './util/memory-files.ts';
export { ArgsManager, parseNodeArgs, type NodeArgs } from './init-args.ts';
export { NET_RPC_METHODS, NodeRpc, callRpc, rpcHelp, CLIENT_VERSION, type RpcNode, type PeerInfo, type NetworkInfo, type NetTotals, type BannedEntry, type NodeAddress, type AddedNodeInfoJson } from './rpc/net.ts';
export { RPCError } from './rpc/protocol.ts';
export * as RpcErrorCodes from './rpc/protocol.ts';
export { NODE_BLOOM, NODE_COMPACT_FILTERS } from './protocol/protocol.ts';
export { NetPermissionFlags } from './protocol/net-permissions.ts';
export { getNetworkName } from './protocol/netbase.ts';
export { FastRandomContext } from './util/random.ts';
