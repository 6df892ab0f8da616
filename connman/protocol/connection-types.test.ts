// Tests of the connection types: Core's RPC strings and the CNode predicates of net.h, checked
// against the table in the spec (§3) for every type.
import { describe, expect, it } from 'vitest';
import {
  ALL_CONNECTION_TYPES,
  ConnectionType,
  TransportProtocolType,
  connectionTypeAsString,
  expectServicesFromConn,
  isAddrFetchConn,
  isBlockOnlyConn,
  isFeelerConn,
  isFullOutboundConn,
  isInboundConn,
  isManualConn,
  isManualOrFullOutboundConn,
  isOutboundOrBlockRelayConn,
  isPrivateBroadcastConn,
  transportTypeAsString,
} from './connection-types.ts';

const { INBOUND, OUTBOUND_FULL_RELAY, MANUAL, FEELER, BLOCK_RELAY, ADDR_FETCH, PRIVATE_BROADCAST } = ConnectionType;

describe('ConnectionType', () => {
  it("keeps Core's declaration order and values", () => {
    expect(ALL_CONNECTION_TYPES).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([INBOUND, OUTBOUND_FULL_RELAY, MANUAL, FEELER, BLOCK_RELAY, ADDR_FETCH, PRIVATE_BROADCAST]).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
  });

  it("ConnectionTypeAsString gives Core's RPC strings", () => {
    expect(ALL_CONNECTION_TYPES.map(connectionTypeAsString)).toEqual([
      'inbound',
      'outbound-full-relay',
      'manual',
      'feeler',
      'block-relay-only',
      'addr-fetch',
      'private-broadcast',
    ]);
    expect(() => connectionTypeAsString(99 as ConnectionType)).toThrow();
  });

  it("TransportTypeAsString gives Core's RPC strings", () => {
    expect(
      [TransportProtocolType.DETECTING, TransportProtocolType.V1, TransportProtocolType.V2].map(transportTypeAsString),
    ).toEqual(['detecting', 'v1', 'v2']);
  });

  it('the predicates match the spec table for every type', () => {
    // Columns: INBOUND, OUT_FULL, MANUAL, FEELER, BLOCK_RELAY, ADDR_FETCH, PRIV_BCAST.
    const table: [string, (t: ConnectionType) => boolean, number[]][] = [
      ['isOutboundOrBlockRelayConn', isOutboundOrBlockRelayConn, [0, 1, 0, 0, 1, 0, 0]],
      ['isFullOutboundConn', isFullOutboundConn, [0, 1, 0, 0, 0, 0, 0]],
      ['isManualOrFullOutboundConn', isManualOrFullOutboundConn, [0, 1, 1, 0, 0, 0, 0]],
      ['expectServicesFromConn', expectServicesFromConn, [0, 1, 0, 0, 1, 1, 1]],
      ['isInboundConn', isInboundConn, [1, 0, 0, 0, 0, 0, 0]],
      ['isManualConn', isManualConn, [0, 0, 1, 0, 0, 0, 0]],
      ['isFeelerConn', isFeelerConn, [0, 0, 0, 1, 0, 0, 0]],
      ['isBlockOnlyConn', isBlockOnlyConn, [0, 0, 0, 0, 1, 0, 0]],
      ['isAddrFetchConn', isAddrFetchConn, [0, 0, 0, 0, 0, 1, 0]],
      ['isPrivateBroadcastConn', isPrivateBroadcastConn, [0, 0, 0, 0, 0, 0, 1]],
    ];
    for (const [name, fn, row] of table) {
      expect(ALL_CONNECTION_TYPES.map((t) => (fn(t) ? 1 : 0)), name).toEqual(row);
    }
  });
});
