// The messages Core's functional tests build (test_framework/messages.py msg_* classes), over the
// port's typed messages (connman/protocol/messages.ts). Blocks are the model's: named by height, a
// header is a BlockRef. Payload bytes the port does not model (a filterload's filter, a generic
// message's payload) are given as sizes, which is all the node reads of them.

import {
  addrMessage,
  addrV2Message,
  Address,
  blockMessage,
  getAddrMessage,
  getDataMessage,
  headersMessage,
  mempoolMessage,
  MESSAGE_HEADER_SIZE,
  parseNetAddr,
  pingMessage,
  pongMessage,
  sendAddrV2Message,
  Service,
  txDataMessage,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  type BlockRef,
  type P2PMessage,
  type VersionFields,
} from '../../connman/index.ts';
import { P2P_SERVICES, P2P_SUBVERSION } from './p2p.ts';

export const msgVerack = (): P2PMessage => verackMessage();
export const msgPing = (nonce = 0n): P2PMessage => pingMessage(nonce);
export const msgPong = (nonce = 0n): P2PMessage => pongMessage(nonce);
export const msgGetaddr = (): P2PMessage => getAddrMessage();
export const msgSendaddrv2 = (): P2PMessage => sendAddrV2Message();
export const msgWtxidrelay = (): P2PMessage => wtxidRelayMessage();
export const msgMempool = (): P2PMessage => mempoolMessage();

/** Python's msg_version with the test framework's defaults (P2P_SUBVERSION, P2P_SERVICES, relay). */
export function msgVersion(f: Partial<VersionFields> & { nonce?: bigint } = {}): P2PMessage {
  return versionMessage({ services: P2P_SERVICES, timeSeconds: 0, nonce: 0n, relay: true, userAgent: P2P_SUBVERSION, startHeight: -1, ...f });
}

/** Python's msg_generic(type, payload): a message of any type with `payloadBytes` of payload. */
export function msgGeneric(type: string, payloadBytes = 0): P2PMessage {
  return { type, sizeBytes: MESSAGE_HEADER_SIZE + payloadBytes } as P2PMessage;
}

/** Python's CAddress: an address with its time and services. `ip` is numeric, .onion or .b32.i2p. */
export function cAddress(a: { ip: string; port: number; time: number; services?: number }): Address {
  const r = parseNetAddr(a.ip);
  if (!r.ok) throw new Error(`CAddress: bad ip ${a.ip}`);
  return new Address(Service.of(r.value, a.port), a.services ?? P2P_SERVICES, a.time);
}

export const msgAddr = (addrs: readonly Address[] = []): P2PMessage => addrMessage(addrs);
export const msgAddrv2 = (addrs: readonly Address[] = []): P2PMessage => addrV2Message(addrs);

/** Python's msg_headers([header, …]): the model announces the last header (the others only add bytes). */
export function msgHeaders(headers: readonly BlockRef[]): P2PMessage {
  return { ...headersMessage(headers.length), tip: headers.length > 0 ? headers[headers.length - 1]! : null } as P2PMessage;
}

/** Python's msg_getdata([CInv(MSG_BLOCK, hash)]) for one block of the model's chain. */
export function msgGetdataBlock(height: number): P2PMessage {
  return { ...getDataMessage(1), height } as P2PMessage;
}

/** Python's msg_block for a block of the model's chain with `payloadBytes` of block data. */
export function msgBlock(block: BlockRef, payloadBytes = 250): P2PMessage {
  return { ...blockMessage(payloadBytes), block } as P2PMessage;
}

/** Python's msg_tx(tx): the model's transactions are opaque ids (every one valid, as MiniWallet's are). */
export function msgTx(txid: number, payloadBytes?: number): P2PMessage {
  return txDataMessage(txid, payloadBytes);
}
