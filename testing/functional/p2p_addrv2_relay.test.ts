// Core's test/functional/p2p_addrv2_relay.py on the port: sendaddrv2 after verack disconnects; an
// addrv2 message of IPv4, I2P and onion addresses is relayed whole to an addrv2 peer (at Core's
// wire size), the I2P address (unreachable) is relayed but not added to AddrMan, and an addrv2 of
// 1010 addresses is misbehaviour.
import { describe, expect, it } from 'vitest';
import { BIP155Network, type Address, type AddrMessage } from '../../connman/index.ts';
import { assertEqual, cAddress, msgAddrv2, msgSendaddrv2, P2P_SERVICES, P2PInterface, TestFramework } from '../index.ts';

const I2P_ADDR = 'c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p';
const ONION_ADDR = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';

/** Ten addresses, the sixth I2P (port 0) and the ninth a Tor v3 onion. */
function makeAddrs(now: number): Address[] {
  const out: Address[] = [];
  for (let i = 0; i < 10; i++) {
    const ip = i === 5 ? I2P_ADDR : i === 8 ? ONION_ADDR : `123.123.123.${i % 256}`;
    out.push(cAddress({ ip, port: i === 5 ? 0 : 8333 + i, time: now + i, services: P2P_SERVICES }));
  }
  return out;
}

/** Python's CAddress.ADDRV2_ADDRESS_LENGTH, by BIP155 network id (IPv4, Tor v3, I2P). */
const ADDRV2_ADDRESS_LENGTH: Readonly<Record<number, number>> = { [BIP155Network.IPV4]: 4, [BIP155Network.TORV3]: 32, [BIP155Network.I2P]: 32 };

/** Core's calc_addrv2_msg_size: count byte, then time, services, network id, length, address, port. */
function calcAddrv2MsgSize(addrs: readonly Address[]): number {
  let size = 1;
  for (const a of addrs) size += 4 + 1 + 1 + 1 + ADDRV2_ADDRESS_LENGTH[a.getBIP155Network()]! + 2;
  return size;
}

const key = (a: Address): string => `${a.toStringAddr()}|${a.port}`;

class AddrReceiver extends P2PInterface {
  addrv2ReceivedAndChecked = false;
  constructor(private readonly expected: readonly Address[]) {
    super({ supportAddrv2: true });
  }
  override onAddrv2(m: AddrMessage): void {
    const expectedSet = new Set(this.expected.map(key));
    const receivedSet = new Set(m.addresses.map(key));
    if (expectedSet.size === receivedSet.size && [...expectedSet].every((k) => receivedSet.has(k))) this.addrv2ReceivedAndChecked = true;
  }
  waitForAddrv2(): void {
    this.waitUntil(() => 'addrv2' in this.lastMessage);
  }
}

describe('p2p_addrv2_relay.py', () => {
  it('sendaddrv2 after verack, addrv2 relay of I2P and onion addresses, an oversized addrv2', () => {
    const test = new TestFramework({ setupCleanChain: true, extraArgs: [['-whitelist=addr@127.0.0.1']] });
    const node = test.nodes[0]!;
    const ADDRS = makeAddrs(test.time());

    const conn = node.addP2PConnection(new P2PInterface());
    node.assertDebugLog(['sendaddrv2 received after verack, disconnecting peer=0'], () => {
      conn.sendWithoutPing(msgSendaddrv2());
      conn.waitForDisconnect();
    }); // A1

    const addrSource = node.addP2PConnection(new P2PInterface());
    const addrReceiver = node.addP2PConnection(new AddrReceiver(ADDRS));
    const msgSize = calcAddrv2MsgSize(ADDRS);
    node.assertDebugLog([`received: addrv2 (${msgSize} bytes) peer=1`, `sending addrv2 (${msgSize} bytes) peer=2`], () => {
      addrSource.sendAndPing(msgAddrv2(ADDRS));
      node.setmocktime(test.time() + 30 * 60);
      addrReceiver.waitForAddrv2();
    }); // A2, A3
    expect(addrReceiver.addrv2ReceivedAndChecked).toBe(true); // A4
    assertEqual(node.rpc.getnodeaddresses(0, 'i2p').length, 0); // A5

    node.assertDebugLog(['addrv2 message size = 1010'], () => {
      addrSource.sendWithoutPing(msgAddrv2(Array.from({ length: 101 }, () => ADDRS).flat()));
      addrSource.waitForDisconnect();
    }); // A6
  });
});
