// Core's test/functional/p2p_addr_relay.py on the port: an oversized addr disconnects; addresses of
// a small addr are relayed to two peers (not the first addr of a new outbound peer, not to
// block-relay-only peers, not to inbound peers that never sent an addr-related message); getaddr
// goes to outbound full-relay peers only and is answered for inbound peers only, once; -blocksonly
// still relays addresses; the token bucket limits processing per peer; within a day an address's
// relay destinations rotate at most once, over days more than once.
import { describe, expect, it } from 'vitest';
import type { AddrMessage, P2PMessage, VersionMessage } from '../../connman/index.ts';
import { assertEqual, cAddress, msgAddr, msgGetaddr, msgHeaders, msgVerack, P2P_SERVICES, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const ONE_MINUTE = 60;
const TEN_MINUTES = 10 * ONE_MINUTE;
const ONE_HOUR = 60 * ONE_MINUTE;
const TWO_HOURS = 2 * ONE_HOUR;
const ONE_DAY = 24 * ONE_HOUR;
const ADDR_DESTINATIONS_THRESHOLD = 4;

class AddrReceiver extends P2PInterface {
  numIpv4Received = 0;
  private tokensHeld = 1;
  constructor(
    readonly testAddrContents = false,
    readonly sendGetaddr = true,
  ) {
    super();
  }
  override onAddr(m: AddrMessage): void {
    for (const a of m.addresses) {
      this.numIpv4Received++;
      if (this.testAddrContents) {
        // relay_tests: what setup_addr_msg built.
        assertEqual(a.services, 9); // A-c1
        if (!(a.port >= 8333 && a.port < 8343)) throw new Error(`Invalid addr.port of ${a.port} (8333-8342 expected)`); // A-c2
        if (!a.toStringAddr().startsWith('123.123.')) throw new Error(`addr ${a.toStringAddr()} is not 123.123.x.y`); // A-c3
      }
    }
  }
  override onGetaddr(): void {
    // The node's getaddr gives the connection 1000 more addr tokens.
    this.tokensHeld += 1000;
  }
  get tokens(): number {
    return this.tokensHeld;
  }
  incrementTokens(n: number): void {
    this.tokensHeld += n;
  }
  addrReceived(): boolean {
    return this.numIpv4Received !== 0;
  }
  override onVersion(_m: VersionMessage): void {
    this.sendVersion();
    this.sendWithoutPing(msgVerack());
    if (this.sendGetaddr) this.sendWithoutPing(msgGetaddr());
  }
  getaddrReceived(): boolean {
    return this.messageCount['getaddr']! > 0;
  }
}

const sumAddrMessages = (m: Record<string, number>): number => (m['addr'] ?? 0) + (m['addrv2'] ?? 0) + (m['getaddr'] ?? 0);

describe('p2p_addr_relay.py', () => {
  it('oversized addr, relay, blackholes, rotation, getaddr, blocksonly, rate limiting', () => {
    const test = new TestFramework({ extraArgs: [['-whitelist=addr@127.0.0.1']] });
    let node: TestNode = test.nodes[0]!;
    let mocktime = test.time();
    let counter = 0;

    const setupAddrMsg = (num: number, sequentialIps = true): P2PMessage => {
      const addrs = [];
      for (let i = 0; i < num; i++) {
        const time = mocktime + test.randrange(200) - 100;
        let ip: string;
        if (sequentialIps) {
          if (counter >= 256 ** 2) throw new Error('the returned ip addresses would wrap');
          ip = `123.123.${Math.trunc(counter / 256)}.${counter % 256}`;
          counter++;
        } else {
          ip = `${128 + test.randrange(41)}.${1 + test.randrange(254)}.${1 + test.randrange(254)}.${1 + test.randrange(254)}`;
        }
        addrs.push(cAddress({ ip, port: 8333 + i, time, services: P2P_SERVICES }));
      }
      return msgAddr(addrs);
    };
    const sendAddrMsg = (source: P2PInterface, msg: P2PMessage, receivers: readonly P2PInterface[]): void => {
      source.sendAndPing(msg);
      // m_next_addr_send is exponential with a 30 s mean; 600 s later it has fired (but once in ~500 million runs).
      mocktime += 10 * 60;
      node.setmocktime(mocktime);
      for (const peer of receivers) peer.syncWithPing();
    };

    // oversized_addr_test
    {
      const addrSource = node.addP2PConnection(new P2PInterface());
      node.assertDebugLog(['addr message size = 1010'], () => {
        addrSource.sendWithoutPing(setupAddrMsg(1010));
        addrSource.waitForDisconnect();
      }); // A1
      node.disconnectP2Ps();
    }

    // relay_tests
    {
      const addrSource = node.addP2PConnection(new P2PInterface());
      const receivers: AddrReceiver[] = [];
      for (let i = 0; i < 7; i++) receivers.push(node.addP2PConnection(new AddrReceiver(true)));
      const numIpv4Addrs = 10;
      const msg = setupAddrMsg(numIpv4Addrs);
      node.assertDebugLog(['received: addr (301 bytes) peer=1'], () => sendAddrMsg(addrSource, msg, receivers)); // A2
      // Every IPv4 address is relayed to two peers other than its source.
      assertEqual(
        receivers.reduce((s, r) => s + r.numIpv4Received, 0),
        numIpv4Addrs * 2,
      ); // A3
      node.disconnectP2Ps();

      // Relay of addresses received from outbound peers.
      const inboundPeer = node.addP2PConnection(new AddrReceiver(true, false));
      inboundPeer.sendAndPing(msgAddr()); // an empty addr starts address relay on this connection
      const fullOutboundPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 0, connectionType: 'outbound-full-relay' });
      sendAddrMsg(fullOutboundPeer, setupAddrMsg(2), [inboundPeer]);
      // The first addr message from a new outbound peer is not relayed.
      assertEqual(inboundPeer.numIpv4Received, 0); // A4
      sendAddrMsg(fullOutboundPeer, setupAddrMsg(2), [inboundPeer]);
      assertEqual(inboundPeer.numIpv4Received, 2); // A5
      // Relay to outbound peers.
      const blockRelayPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 1, connectionType: 'block-relay-only' });
      sendAddrMsg(inboundPeer, setupAddrMsg(2), [fullOutboundPeer, blockRelayPeer]);
      assertEqual(fullOutboundPeer.numIpv4Received, 2); // A6
      assertEqual(blockRelayPeer.numIpv4Received, 0); // A7
      node.disconnectP2Ps();
    }

    // inbound_blackhole_tests
    {
      const addrSource = node.addP2PConnection(new P2PInterface());
      const receiverPeer = node.addP2PConnection(new AddrReceiver());
      const blackholePeer = node.addP2PConnection(new AddrReceiver(false, false));
      const initialAddrsReceived = receiverPeer.numIpv4Received;
      let peerinfo = node.rpc.getpeerinfo();
      assertEqual(peerinfo[0]!.addr_relay_enabled, true); // A8
      assertEqual(peerinfo[1]!.addr_relay_enabled, true); // A9
      assertEqual(peerinfo[2]!.addr_relay_enabled, false); // A10
      addrSource.sendAndPing(setupAddrMsg(2));
      mocktime += 30 * 60;
      node.setmocktime(mocktime);
      receiverPeer.syncWithPing();
      blackholePeer.syncWithPing();
      peerinfo = node.rpc.getpeerinfo();
      expect(sumAddrMessages(peerinfo[1]!.bytesrecv_per_msg)).toBeGreaterThan(0); // A11
      assertEqual(receiverPeer.numIpv4Received - initialAddrsReceived, 2); // A12
      assertEqual(sumAddrMessages(peerinfo[2]!.bytesrecv_per_msg), 0); // A13
      assertEqual(blackholePeer.numIpv4Received, 0); // A14
      // Once the blackhole peer sends an addr message it is eligible for addr gossip.
      blackholePeer.sendAndPing(msgAddr());
      peerinfo = node.rpc.getpeerinfo();
      expect(sumAddrMessages(peerinfo[2]!.bytesrecv_per_msg)).toBeGreaterThan(0); // A15
      assertEqual(peerinfo[2]!.addr_relay_enabled, true); // A16
      sendAddrMsg(addrSource, setupAddrMsg(2), [receiverPeer, blackholePeer]);
      assertEqual(blackholePeer.numIpv4Received, 2); // A17
      node.disconnectP2Ps();
    }

    /** Ten rounds of one address from `peer`; which of `addrReceivers` got an addr. */
    const getNodesThatReceivedAddr = (peer: P2PInterface, receiverPeer: AddrReceiver, addrReceivers: readonly AddrReceiver[], interval1: number, interval2: number): AddrReceiver[] => {
      for (const r of addrReceivers) r.numIpv4Received = 0;
      const msg = setupAddrMsg(1);
      for (let i = 0; i < 10; i++) {
        mocktime += interval1;
        const a = (msg as AddrMessage).addresses[0]!;
        const fresh = msgAddr([cAddress({ ip: a.toStringAddr(), port: a.port, time: mocktime + TEN_MINUTES, services: a.services })]);
        node.setmocktime(mocktime);
        node.assertDebugLog(['received: addr (31 bytes) peer=0'], () => {
          peer.sendAndPing(fresh);
          mocktime += interval2;
          node.setmocktime(mocktime);
          receiverPeer.syncWithPing();
        });
      }
      return addrReceivers.filter((r) => r.addrReceived());
    };

    // destination_rotates_once_in_24_hours_test
    {
      test.restartNode(0, []);
      node = test.nodes[0]!;
      mocktime = test.time();
      const peer = node.addP2PConnection(new P2PInterface());
      const receiverPeer = node.addP2PConnection(new AddrReceiver());
      const addrReceivers = Array.from({ length: 20 }, () => node.addP2PConnection(new AddrReceiver()));
      const received = getNodesThatReceivedAddr(peer, receiverPeer, addrReceivers, 0, TWO_HOURS); // A18 (ten log lines)
      // RelayAddress picks two destinations a day: at most one rotation, at most four receivers.
      expect(ADDR_DESTINATIONS_THRESHOLD).toBeGreaterThanOrEqual(received.length); // A19
      node.disconnectP2Ps();
    }

    // destination_rotates_more_than_once_over_several_days_test
    {
      test.restartNode(0, []);
      node = test.nodes[0]!;
      const peer = node.addP2PConnection(new P2PInterface());
      const receiverPeer = node.addP2PConnection(new AddrReceiver());
      const addrReceivers = Array.from({ length: 20 }, () => node.addP2PConnection(new AddrReceiver()));
      const received = getNodesThatReceivedAddr(peer, receiverPeer, addrReceivers, ONE_DAY, ONE_HOUR); // A20 (ten log lines)
      expect(received.length).toBeGreaterThan(ADDR_DESTINATIONS_THRESHOLD); // A21
      node.disconnectP2Ps();
    }

    // getaddr_tests
    {
      test.restartNode(0);
      node = test.nodes[0]!;
      const fullOutboundPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 0, connectionType: 'outbound-full-relay' });
      fullOutboundPeer.syncWithPing();
      expect(fullOutboundPeer.getaddrReceived()).toBe(true); // A22
      // Protect it from the lagging-chain eviction by announcing our tip.
      const tip = node.getblockheader();
      fullOutboundPeer.sendAndPing(msgHeaders([tip]));
      const blockRelayPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 1, connectionType: 'block-relay-only' });
      blockRelayPeer.syncWithPing();
      assertEqual(blockRelayPeer.getaddrReceived(), false); // A23
      blockRelayPeer.sendAndPing(msgHeaders([tip]));
      const feelerPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 2, connectionType: 'feeler' });
      assertEqual(feelerPeer.isConnected, false); // A24: a feeler is closed at its version
      assertEqual(feelerPeer.getaddrReceived(), false); // A25
      const inboundPeer = node.addP2PConnection(new AddrReceiver(false, false));
      inboundPeer.syncWithPing();
      assertEqual(inboundPeer.getaddrReceived(), false); // A26
      assertEqual(inboundPeer.addrReceived(), false); // A27

      // getaddr is answered for inbound peers only.
      for (let i = 0; i < 1000; i++) node.rpc.addpeeraddress(`${i >> 8}.${i % 256}.1.1`, 8333);
      fullOutboundPeer.sendAndPing(msgGetaddr());
      blockRelayPeer.sendAndPing(msgGetaddr());
      inboundPeer.sendAndPing(msgGetaddr());
      mocktime += 10 * 60;
      node.setmocktime(mocktime);
      inboundPeer.waitUntil(() => inboundPeer.addrReceived());
      assertEqual(fullOutboundPeer.numIpv4Received, 0); // A28
      assertEqual(blockRelayPeer.numIpv4Received, 0); // A29
      expect(inboundPeer.numIpv4Received).toBeGreaterThan(100); // A30

      // Once per connection.
      const before = inboundPeer.numIpv4Received;
      node.assertDebugLog(['Ignoring repeated "getaddr".'], () => inboundPeer.sendAndPing(msgGetaddr())); // A31
      mocktime += 10 * 60;
      node.setmocktime(mocktime);
      inboundPeer.syncWithPing();
      assertEqual(inboundPeer.numIpv4Received, before); // A32
      node.disconnectP2Ps();
    }

    // blocksonly_mode_tests
    {
      test.restartNode(0, ['-blocksonly', '-whitelist=addr@127.0.0.1']);
      node = test.nodes[0]!;
      mocktime = test.time();
      const fullOutboundPeer = node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 0, connectionType: 'outbound-full-relay' });
      fullOutboundPeer.syncWithPing();
      expect(fullOutboundPeer.getaddrReceived()).toBe(true); // A33
      const addrSource = node.addP2PConnection(new P2PInterface());
      sendAddrMsg(addrSource, setupAddrMsg(2), [fullOutboundPeer]);
      assertEqual(fullOutboundPeer.numIpv4Received, 2); // A34
      node.disconnectP2Ps();
    }

    // rate_limit_tests
    {
      mocktime = test.time();
      test.restartNode(0, []);
      node = test.nodes[0]!;
      node.setmocktime(mocktime);
      const sendAndTest = (peer: AddrReceiver, noRelay: boolean, newAddrs: number, totalAddrs: number): void => {
        peer.sendAndPing(setupAddrMsg(newAddrs, false));
        const info = node.rpc.getpeerinfo()[0]!;
        if (noRelay) {
          assertEqual(info.addr_processed, 0);
          assertEqual(info.addr_rate_limited, 0);
        } else {
          assertEqual(info.addr_processed, Math.min(totalAddrs, peer.tokens));
          assertEqual(info.addr_rate_limited, Math.max(0, totalAddrs - peer.tokens));
        }
      };
      for (const [connType, noRelay] of [
        ['outbound-full-relay', false],
        ['block-relay-only', true],
        ['inbound', false],
      ] as const) {
        const peer = connType === 'inbound' ? node.addP2PConnection(new AddrReceiver()) : node.addOutboundP2PConnection(new AddrReceiver(), { p2pIdx: 0, connectionType: connType });
        sendAndTest(peer, noRelay, 600, 600); // A35 (two numbers, three peer types)
        sendAndTest(peer, noRelay, 600, 1200); // A36
        sendAndTest(peer, noRelay, 10, 1210); // A37
        // 100 s later: 10 more tokens.
        mocktime += 100;
        node.setmocktime(mocktime);
        peer.incrementTokens(10);
        sendAndTest(peer, noRelay, 200, 1410); // A38
        // 1000 s later: 100 more.
        mocktime += 1000;
        node.setmocktime(mocktime);
        peer.incrementTokens(100);
        sendAndTest(peer, noRelay, 200, 1610); // A39
        node.disconnectP2Ps();
      }
    }
  });
});
