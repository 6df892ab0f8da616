// Core's test/functional/p2p_leak.py on the port: before the handshake completes the node sends
// nothing but version, wtxidrelay and sendaddrv2 (and none of those to a pre-70016 peer, nothing at
// all to a peer that never sent version); idle peers are dropped after -peertimeout; our version
// does not leak our address; peers older than MIN_PEER_PROTO_VERSION are dropped.
import { describe, expect, it } from 'vitest';
import type { P2PMessage, VersionMessage } from '../../connman/index.ts';
import { assertEqual, msgGetaddr, msgPing, msgVersion, P2P_SERVICES, P2P_SUBVERSION, P2PInterface, TestFramework } from '../index.ts';

const PEER_TIMEOUT = 3;

class LazyPeer extends P2PInterface {
  unexpectedMsg = false;
  everConnected = false;
  gotWtxidrelay = false;
  gotSendaddrv2 = false;
  gotFeature = false;
  badMessage(_m: P2PMessage): void {
    this.unexpectedMsg = true;
  }
  override onOpenHook(): void {
    this.everConnected = true;
  }
  override onVersion(m: VersionMessage): void {
    this.badMessage(m);
  }
  override onVerack(m: P2PMessage): void {
    this.badMessage(m);
  }
  override onInv = (m: P2PMessage): void => this.badMessage(m);
  override onAddr = (m: P2PMessage): void => this.badMessage(m);
  override onGetdata = (m: P2PMessage): void => this.badMessage(m);
  override onTx = (m: P2PMessage): void => this.badMessage(m);
  override onBlock = (m: P2PMessage): void => this.badMessage(m);
  override onGetaddr = (m: P2PMessage): void => this.badMessage(m);
  override onHeaders = (m: P2PMessage): void => this.badMessage(m);
  override onGetheaders = (m: P2PMessage): void => this.badMessage(m);
  override onPing = (m: P2PMessage & { nonce: bigint }): void => this.badMessage(m);
  override onPong = (m: P2PMessage): void => this.badMessage(m);
  override onFeefilter = (m: P2PMessage): void => this.badMessage(m);
  override onSendheaders = (m: P2PMessage): void => this.badMessage(m);
  override onSendcmpct = (m: P2PMessage): void => this.badMessage(m);
  override onWtxidrelay = (): void => {
    this.gotWtxidrelay = true;
  };
  override onSendaddrv2 = (): void => {
    this.gotSendaddrv2 = true;
  };
  override onOther = (m: P2PMessage): void => {
    if ((m.type as string) === 'feature') this.gotFeature = true;
    else if (['getblocks', 'mempool', 'cmpctblock', 'getblocktxn', 'blocktxn'].includes(m.type)) this.badMessage(m);
  };
}

class NoVerackIdlePeer extends LazyPeer {
  versionReceived = false;
  override onVerack(): void {}
  override onVersion(): void {
    this.versionReceived = true;
    this.sendWithoutPing(msgPing());
    this.sendWithoutPing(msgGetaddr());
  }
}

class P2PVersionStore extends P2PInterface {
  versionReceived: VersionMessage | null = null;
  override onVersion(msg: VersionMessage): void {
    super.onVersion(msg);
    this.versionReceived = msg;
  }
}

describe('p2p_leak.py', () => {
  it('nothing leaks before the handshake, idle peers go, the version does not leak our address', () => {
    const test = new TestFramework({ extraArgs: [[`-peertimeout=${PEER_TIMEOUT}`]] });
    const node = test.nodes[0]!;
    const createOldVersion = (nVersion: number): P2PMessage => msgVersion({ version: nVersion, userAgent: P2P_SUBVERSION, services: P2P_SERVICES, relay: true, timeSeconds: test.time(), nonce: test.nonce() });

    const noVersionIdle = node.addP2PConnection(new LazyPeer(), { sendVersion: false, waitForVerack: false });
    const noVerackIdle = node.addP2PConnection(new NoVerackIdlePeer(), { waitForVerack: false });
    const preWtxidrelay = node.addP2PConnection(new NoVerackIdlePeer(), { sendVersion: false, waitForVerack: false });
    preWtxidrelay.sendWithoutPing(createOldVersion(70015));
    noVerackIdle.waitForVerack();
    preWtxidrelay.waitForVerack();
    noVersionIdle.waitUntil(() => noVersionIdle.everConnected);
    noVerackIdle.waitUntil(() => noVerackIdle.versionReceived);
    preWtxidrelay.waitUntil(() => preWtxidrelay.versionReceived);
    node.generate(1);
    test.sleep(PEER_TIMEOUT + 2);
    // Connect a peer so that the net thread runs the disconnect logic at least once.
    node.addP2PConnection(new P2PInterface());

    expect(noVersionIdle.unexpectedMsg).toBe(false); // A1
    expect(noVersionIdle.gotWtxidrelay).toBe(false); // A2
    expect(noVersionIdle.gotSendaddrv2).toBe(false); // A3
    expect(noVersionIdle.gotFeature).toBe(false); // A4
    expect(noVerackIdle.unexpectedMsg).toBe(false); // A5
    expect(noVerackIdle.gotWtxidrelay).toBe(true); // A6
    expect(noVerackIdle.gotSendaddrv2).toBe(true); // A7
    expect(preWtxidrelay.unexpectedMsg).toBe(false); // A8
    expect(preWtxidrelay.gotWtxidrelay).toBe(false); // A9
    expect(preWtxidrelay.gotSendaddrv2).toBe(false); // A10
    expect(preWtxidrelay.gotFeature).toBe(false); // A11
    expect(noVersionIdle.isConnected).toBe(false); // A12
    expect(noVerackIdle.isConnected).toBe(false); // A13
    expect(preWtxidrelay.isConnected).toBe(false); // A14

    // The version message does not leak the local address of the node.
    const store = node.addP2PConnection(new P2PVersionStore());
    const ver = store.versionReceived!;
    expect(ver.timeSeconds).toBeGreaterThanOrEqual(test.time() - 3600); // A15
    expect(test.time() + 3600).toBeGreaterThanOrEqual(ver.timeSeconds); // A16
    assertEqual(ver.addrFrom.port, 0); // A17
    // Python reads the last four of the 16 address bytes as the IPv4 text: all zero here ([::]).
    assertEqual([...ver.addrFrom.serializeV1().slice(12)].join('.'), '0.0.0.0'); // A18
    assertEqual(ver.startHeight, 201); // A19
    assertEqual(ver.relay, true); // A20

    // Old peers are disconnected.
    const old = node.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false });
    node.assertDebugLog(['using obsolete version 31799, disconnecting peer=5'], () => {
      old.sendWithoutPing(createOldVersion(31799));
      old.waitForDisconnect();
    }); // A21
  });
});
