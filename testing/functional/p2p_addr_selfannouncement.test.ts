// Core's test/functional/p2p_addr_selfannouncement.py on the port: with -externalip the node
// announces its address to inbound (after their getaddr) and outbound peers, first in a message of
// its own that is the first addr message, and again later (a 24 h mean interval; 20 days always
// bring one); addr and addrv2 alike. -externalip of an onion address is listed even under
// -onlynet=ipv4.
import { describe, expect, it } from 'vitest';
import type { Address, AddrMessage } from '../../connman/index.ts';
import { assertEqual, msgHeaders, P2PInterface, TestFramework } from '../index.ts';

const IP_TO_ANNOUNCE = '42.42.42.42';
const ONION_ADDR = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
const ONE_DAY = 60 * 60 * 24;

interface Expected {
  ip: string;
  port: number;
  services: number;
  time: number;
}

class SelfAnnouncementReceiver extends P2PInterface {
  selfAnnouncementsReceived = 0;
  addressesReceived = 0;
  addrMessagesReceived = 0;
  constructor(
    public expected: Expected,
    readonly addrv2Test: boolean,
  ) {
    super({ supportAddrv2: addrv2Test });
  }
  private handleAddrMessage(m: AddrMessage): void {
    this.addrMessagesReceived++;
    for (const a of m.addresses) {
      this.addressesReceived++;
      if (isExpected(a, this.expected)) {
        this.selfAnnouncementsReceived++;
        if (this.selfAnnouncementsReceived === 1) {
          // The first self-announcement is the first addr message, alone in it.
          assertEqual(this.addrMessagesReceived, 1); // A-c1
          assertEqual(m.addresses.length, 1); // A-c2
        }
      }
    }
  }
  override onAddrv2(m: AddrMessage): void {
    if (!this.addrv2Test) throw new Error('addrv2 to a peer that did not send sendaddrv2'); // A-c3
    this.handleAddrMessage(m);
  }
  override onAddr(m: AddrMessage): void {
    if (this.addrv2Test) throw new Error('addr to a peer that sent sendaddrv2'); // A-c4
    this.handleAddrMessage(m);
  }
}

/** Python's CAddress.__eq__: network, address, services, port and time. */
function isExpected(a: Address, e: Expected): boolean {
  return a.toStringAddr() === e.ip && a.port === e.port && a.services === e.services && a.time === e.time;
}

describe('p2p_addr_selfannouncement.py', () => {
  it('self-announcements to inbound and outbound peers, addr and addrv2, and -externalip under -onlynet', () => {
    const test = new TestFramework({ extraArgs: [[`-externalip=${IP_TO_ANNOUNCE}`]] });
    const node = test.nodes[0]!;
    // Addresses for a GETADDR answer.
    for (let i = 0; i < 50; i++) node.rpc.addpeeraddress(`${1 + i}.${i}.1.1`, 8333);

    const selfAnnouncementTest = (outbound: boolean, addrv2: boolean): void => {
      expect(node.isInitialBlockDownload()).toBe(false); // A1 (four times)
      const netinfo = node.rpc.getnetworkinfo();
      const port = netinfo.localaddresses[0]!.port;
      node.setmocktime(test.time());
      const expected: Expected = { ip: IP_TO_ANNOUNCE, port, services: parseInt(netinfo.localservices, 16), time: node.mocktime! };
      let receiver!: SelfAnnouncementReceiver;
      node.assertDebugLog([`Advertising address ${IP_TO_ANNOUNCE}:${port}`], () => {
        receiver = outbound
          ? node.addOutboundP2PConnection(new SelfAnnouncementReceiver(expected, addrv2), { p2pIdx: 0, connectionType: 'outbound-full-relay' })
          : node.addP2PConnection(new SelfAnnouncementReceiver(expected, addrv2));
        receiver.syncWithPing();
      }); // A2 (four times)
      if (outbound) {
        // Only the self-announcement.
        assertEqual(receiver.selfAnnouncementsReceived, 1); // A3
        assertEqual(receiver.addrMessagesReceived, 1); // A4
        assertEqual(receiver.addressesReceived, 1); // A5
        // Protect the peer from the lagging-chain eviction.
        receiver.sendAndPing(msgHeaders([node.getblockheader()]));
      } else {
        // The self-announcement, then the GETADDR answer.
        assertEqual(receiver.selfAnnouncementsReceived, 1); // A6
        assertEqual(receiver.addrMessagesReceived, 2); // A7
        expect(receiver.addressesReceived).toBeGreaterThan(1); // A8
      }
      for (let i = 0; i < 5; i++) {
        const last = [receiver.selfAnnouncementsReceived, receiver.addrMessagesReceived, receiver.addressesReceived];
        node.assertDebugLog([`Advertising address ${IP_TO_ANNOUNCE}:${port}`], () => {
          receiver.expected = { ...receiver.expected, time: node.mocktime! + 20 * ONE_DAY };
          node.bumpmocktime(20 * ONE_DAY);
          receiver.syncWithPing();
        }); // A9 (five times per run)
        assertEqual(receiver.selfAnnouncementsReceived, last[0]! + 1); // A10
        assertEqual(receiver.addrMessagesReceived, last[1]! + 1); // A11
        assertEqual(receiver.addressesReceived, last[2]! + 1); // A12
      }
      node.disconnectP2Ps();
    };
    selfAnnouncementTest(false, false);
    selfAnnouncementTest(false, true);
    selfAnnouncementTest(true, false);
    selfAnnouncementTest(true, true);

    // test_externalip_bypasses_onlynet
    test.restartNode(0, ['-onlynet=ipv4', `-externalip=${ONION_ADDR}`]);
    const netinfo = node.rpc.getnetworkinfo();
    const onionNet = netinfo.networks.find((n) => n.name === 'onion')!;
    expect(onionNet.reachable).toBe(false); // A13
    expect(netinfo.localaddresses.map((a) => a.address)).toContain(ONION_ADDR); // A14
  });
});
