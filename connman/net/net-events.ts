// What the connection manager asks of its message processor (Core's NetEventsInterface, net.h):
// a node's per-peer state set up and torn down, a message processed, the periodic SendMessages
// pass and when it next has work. The PeerManager (net_processing/peerman.ts) implements it; the
// Connman holds it as m_msgproc and knows nothing else of net_processing, as net.cpp does not.

import type { P2PMessage } from '../protocol/messages.ts';
import type { ServiceFlags } from '../protocol/protocol.ts';
import type { Micros } from '../ports.ts';
import type { Node, NodeId } from './node.ts';

// Core: net.h NetEventsInterface
export interface NetEventsInterface {
  // Core: net.h NetEventsInterface::InitializeNode
  initializeNode(node: Node): void;
  // Core: net.h NetEventsInterface::FinalizeNode
  finalizeNode(node: Node): void;
  // Core: net.h NetEventsInterface::HasAllDesirableServiceFlags
  hasAllDesirableServiceFlags(services: ServiceFlags): boolean;
  /** One message, as it arrives. */
  // Core: net.h NetEventsInterface::ProcessMessages (one message)
  processMessage(node: Node, msg: P2PMessage, receivedMicros: Micros): void;
  /** The periodic pass; returns when it next has work for the node (Infinity: none). */
  // Core: net.h NetEventsInterface::SendMessages
  sendMessages(node: Node, now: Micros): Micros;
  /**
   * When SendMessages next has work for the node (address and transaction trickles, the
   * addr-fetch lifetime, the next automatic ping unless a keep-alive link carries them), so the
   * Connman arms one timer per node instead of calling SendMessages on every pass.
   */
  nextSendMessagesDue(node: Node): Micros;
  /** getpeerinfo's addr_processed / addr_rate_limited (Core: PeerManager::GetNodeStateStats). */
  addrStats(id: NodeId): { processed: number; rateLimited: number };
}
