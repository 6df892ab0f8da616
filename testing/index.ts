// The public API of the functional-test harness (`connsim/testing`): Core's p2p functional-test
// framework over the port — a TestFramework of TestNodes with Core's test defaults and mocktime
// semantics, scripted peers (P2PInterface), the messages tests build, the node's RPCs with Core's
// names and errors, assertDebugLog on a debug.log in Core's wording, and the assertion helpers.
// TESTING.md shows how to write a test and run it over many seeds.

export { TestFramework, TEST_EPOCH_SECONDS, type TestFrameworkOptions } from './framework/framework.ts';
export {
  TestNode,
  DataDir,
  WaitTimeout,
  REGTEST_GENESIS_TIME,
  REGTEST_DNS_SEEDS,
  CACHED_CHAIN_HEIGHT,
  type AddP2PConnectionOptions,
  type AddOutboundP2PConnectionOptions,
  type AssertDebugLogOptions,
} from './framework/test-node.ts';
export { P2PInterface, P2PDataStore, P2P_SERVICES, P2P_SUBVERSION, P2P_VERSION, P2P_VERSION_RELAY, MIN_P2P_VERSION_SUPPORTED, type P2PInterfaceOptions, type PeerHost, type BlockTip, type SendBlocksOptions } from './framework/p2p.ts';
export * from './framework/messages.ts';
export { assertEqual, assertRaisesRpcError, assertApprox, checkNodeConnections, mockForwarder } from './framework/util.ts';
export { p2pPort, MAX_NODES, PORT_MIN, TestNetwork, TestTransport, Link } from './framework/network.ts';
export { NodeScheduler, RealClock } from './framework/clock.ts';
export { TestDebugLog, formatIso8601 } from './framework/debug-log.ts';
export { NodeRpc, RPCError, RpcErrorCodes, type PeerInfo, type NetworkInfo, type NetTotals, type BannedEntry, type NodeAddress } from '../connman/index.ts';
