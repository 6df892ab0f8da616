// Connection types (Core's node/connection_types.h) and the per-type predicates that Core keeps as
// CNode member functions in net.h, here as free functions of the type alone.
// This file holds no connection state and no policy beyond "which kind of connection is this";
// the slot accounting that uses these predicates lives in the Connman.

/**
 * What we know about a connection when it is opened or accepted. Every type but INBOUND is one we
 * initiated. The numeric values follow Core's declaration order (0..6), which the RPC and any
 * serialized traces rely on.
 */
// Core: node/connection_types.h ConnectionType
export enum ConnectionType {
  /** Initiated by the peer; nothing else is known until P2P messages are exchanged. */
  INBOUND = 0,
  /** Our default outbound peers: blocks, transactions and addresses are all relayed. */
  OUTBOUND_FULL_RELAY = 1,
  /** Peers the user asked for (-addnode, -connect, addnode RPC); never punished for misbehaviour. */
  MANUAL = 2,
  /** Short-lived probes that test addresses (and resolve tried-table collisions) in AddrMan. */
  FEELER = 3,
  /** Outbound peers relaying blocks only, which makes our topology harder to infer. */
  BLOCK_RELAY = 4,
  /** Short-lived connections opened only to ask a peer for addresses (e.g. -seednode). */
  ADDR_FETCH = 5,
  /** Short-lived connections to privacy networks used only to broadcast our own transactions. */
  PRIVATE_BROADCAST = 6,
}

/** Every connection type in declaration order (Core's test/util/net.h ALL_CONNECTION_TYPES). */
export const ALL_CONNECTION_TYPES: readonly ConnectionType[] = [
  ConnectionType.INBOUND,
  ConnectionType.OUTBOUND_FULL_RELAY,
  ConnectionType.MANUAL,
  ConnectionType.FEELER,
  ConnectionType.BLOCK_RELAY,
  ConnectionType.ADDR_FETCH,
  ConnectionType.PRIVATE_BROADCAST,
];

/** The string Core's RPC (getpeerinfo "connection_type") reports for a connection type. */
// Core: node/connection_types.cpp ConnectionTypeAsString
export function connectionTypeAsString(connType: ConnectionType): string {
  switch (connType) {
    case ConnectionType.INBOUND:
      return 'inbound';
    case ConnectionType.MANUAL:
      return 'manual';
    case ConnectionType.FEELER:
      return 'feeler';
    case ConnectionType.OUTBOUND_FULL_RELAY:
      return 'outbound-full-relay';
    case ConnectionType.BLOCK_RELAY:
      return 'block-relay-only';
    case ConnectionType.ADDR_FETCH:
      return 'addr-fetch';
    case ConnectionType.PRIVATE_BROADCAST:
      return 'private-broadcast';
  }
  throw new Error(`connectionTypeAsString: unknown connection type ${String(connType)}`);
}

/** Transport version of a connection (BIP324 v2, plaintext v1, or still detecting which). */
// Core: node/connection_types.h TransportProtocolType
export enum TransportProtocolType {
  DETECTING = 0,
  V1 = 1,
  V2 = 2,
}

/** The string Core's RPC (getpeerinfo "transport_protocol_type") reports. */
// Core: node/connection_types.cpp TransportTypeAsString
export function transportTypeAsString(transportType: TransportProtocolType): string {
  switch (transportType) {
    case TransportProtocolType.DETECTING:
      return 'detecting';
    case TransportProtocolType.V1:
      return 'v1';
    case TransportProtocolType.V2:
      return 'v2';
  }
  throw new Error(`transportTypeAsString: unknown transport type ${String(transportType)}`);
}

/** Full-relay or block-relay outbound: the connections the automatic outbound logic maintains. */
// Core: net.h CNode::IsOutboundOrBlockRelayConn
export function isOutboundOrBlockRelayConn(connType: ConnectionType): boolean {
  switch (connType) {
    case ConnectionType.OUTBOUND_FULL_RELAY:
    case ConnectionType.BLOCK_RELAY:
      return true;
    case ConnectionType.INBOUND:
    case ConnectionType.MANUAL:
    case ConnectionType.ADDR_FETCH:
    case ConnectionType.FEELER:
    case ConnectionType.PRIVATE_BROADCAST:
      return false;
  }
  throw new Error(`isOutboundOrBlockRelayConn: unknown connection type ${String(connType)}`);
}

// Core: net.h CNode::IsFullOutboundConn
export function isFullOutboundConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.OUTBOUND_FULL_RELAY;
}

// Core: net.h CNode::IsManualConn
export function isManualConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.MANUAL;
}

/** The types counted per network in m_network_conn_counts (network-specific extra outbound logic). */
// Core: net.h CNode::IsManualOrFullOutboundConn
export function isManualOrFullOutboundConn(connType: ConnectionType): boolean {
  switch (connType) {
    case ConnectionType.INBOUND:
    case ConnectionType.FEELER:
    case ConnectionType.BLOCK_RELAY:
    case ConnectionType.ADDR_FETCH:
    case ConnectionType.PRIVATE_BROADCAST:
      return false;
    case ConnectionType.OUTBOUND_FULL_RELAY:
    case ConnectionType.MANUAL:
      return true;
  }
  throw new Error(`isManualOrFullOutboundConn: unknown connection type ${String(connType)}`);
}

// Core: net.h CNode::IsBlockOnlyConn
export function isBlockOnlyConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.BLOCK_RELAY;
}

// Core: net.h CNode::IsFeelerConn
export function isFeelerConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.FEELER;
}

// Core: net.h CNode::IsAddrFetchConn
export function isAddrFetchConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.ADDR_FETCH;
}

// Core: net.h CNode::IsPrivateBroadcastConn
export function isPrivateBroadcastConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.PRIVATE_BROADCAST;
}

// Core: net.h CNode::IsInboundConn
export function isInboundConn(connType: ConnectionType): boolean {
  return connType === ConnectionType.INBOUND;
}

/**
 * Whether the peer's VERSION must advertise our desirable service flags. Inbound, manual and
 * feeler connections are exempt: we did not pick inbound peers, the user picked manual ones, and
 * a feeler disconnects right after VERSION anyway.
 */
// Core: net.h CNode::ExpectServicesFromConn
export function expectServicesFromConn(connType: ConnectionType): boolean {
  switch (connType) {
    case ConnectionType.INBOUND:
    case ConnectionType.MANUAL:
    case ConnectionType.FEELER:
      return false;
    case ConnectionType.OUTBOUND_FULL_RELAY:
    case ConnectionType.BLOCK_RELAY:
    case ConnectionType.ADDR_FETCH:
    case ConnectionType.PRIVATE_BROADCAST:
      return true;
  }
  throw new Error(`expectServicesFromConn: unknown connection type ${String(connType)}`);
}
