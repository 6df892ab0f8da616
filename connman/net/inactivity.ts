// Inactivity rules of a connection: Core's CConnman::ShouldRunInactivityChecks / InactivityCheck
// (net.cpp) and the ping timeout of PeerManagerImpl::MaybeSendPing (net_processing.cpp), as pure
// functions of a small record, plus the "next deadline" functions that let the Connman arm one
// timer per connection instead of scanning every node on every socket pass.
// This file does not send pings, track ping nonces or mark nodes for disconnection; it only
// answers "should this connection be dropped now, and why" and "when could that answer change".
//
// Event-driven use: for a frozen connection state, each check is monotone in time (once it says
// "disconnect" it keeps saying so), and the deadline functions return the first microsecond at
// which it does. Activity (bytes sent or received, VERACK, a pong) only moves deadlines later, so
// the Connman can arm a timer at the deadline and, when it fires, re-run the check: if the answer is
// null the state changed meanwhile, and it re-arms at the new deadline.

import type { Micros } from '../ports.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';

/** Send/receive inactivity limit, and the ping round-trip limit. */
// Core: net.h TIMEOUT_INTERVAL
export const TIMEOUT_INTERVAL: Micros = 20 * 60 * MICROS_PER_SECOND;

/** Default of -peertimeout: grace period after connecting before any inactivity rule applies, seconds. */
// Core: net.h DEFAULT_PEER_CONNECT_TIMEOUT
export const DEFAULT_PEER_CONNECT_TIMEOUT = 60;


/** The CNode fields the socket-level inactivity check reads. Times are node-clock microseconds. */
export interface InactivityState {
  /** m_connected: when the CNode was created. */
  connectedMicros: Micros;
  /** m_last_send: last time bytes were written to the socket; 0 (epoch) = never. */
  lastSendMicros: Micros;
  /** m_last_recv: last time bytes were read from the socket; 0 (epoch) = never. */
  lastRecvMicros: Micros;
  /** fSuccessfullyConnected: the peer's VERACK has been received. */
  successfullyConnected: boolean;
  /** The transport is still detecting whether the peer speaks v1 or v2 (BIP324). */
  transportDetecting: boolean;
}

/** The PeerManager's ping state the ping timeout reads. */
export interface PingState {
  /** m_ping_nonce_sent != 0: a ping is outstanding (sent, no matching pong yet). */
  pingOutstanding: boolean;
  /** m_ping_start: when the last ping was queued, node-clock microseconds. */
  pingStartMicros: Micros;
}

/**
 * Why the socket-level check drops a connection (Core's log lines in parentheses):
 * - 'socket-no-message': nothing received or nothing sent within the grace period
 *   ("socket no message in first N seconds");
 * - 'socket-send-timeout': nothing sent for TIMEOUT_INTERVAL ("socket sending timeout");
 * - 'socket-receive-timeout': nothing received for TIMEOUT_INTERVAL ("socket receive timeout");
 * - 'v2-handshake-timeout': still detecting v1/v2 after the grace period ("V2 handshake timeout");
 * - 'version-handshake-timeout': no VERACK after the grace period ("version handshake timeout").
 */
export type InactivityReason =
  | 'socket-no-message'
  | 'socket-send-timeout'
  | 'socket-receive-timeout'
  | 'v2-handshake-timeout'
  | 'version-handshake-timeout';

/** Why PeerManager drops a connection for an unanswered ping ("ping timeout"). */
export type PingTimeoutReason = 'ping-timeout';

/** Every reason a connection can be dropped for inactivity, socket-level or ping. */
export type DisconnectReason = InactivityReason | PingTimeoutReason;

/**
 * Whether the grace period after connecting is over (strictly: m_connected + timeout < now).
 * Before that, a slow peer is not punished for not having spoken yet.
 */
// Core: net.cpp CConnman::ShouldRunInactivityChecks
export function shouldRunInactivityChecks(
  node: { connectedMicros: Micros },
  nowMicros: Micros,
  peerConnectTimeoutSeconds: number,
): boolean {
  return node.connectedMicros + peerConnectTimeoutSeconds * MICROS_PER_SECOND < nowMicros;
}

/** The first microsecond at which shouldRunInactivityChecks holds. */
export function inactivityChecksStartMicros(node: { connectedMicros: Micros }, peerConnectTimeoutSeconds: number): Micros {
  return node.connectedMicros + peerConnectTimeoutSeconds * MICROS_PER_SECOND + 1;
}

/**
 * The socket-level inactivity check run for every connection on every socket pass: the reason to
 * disconnect now, or null. The rules are tried in Core's order and the first match wins.
 */
// Core: net.cpp CConnman::InactivityCheck
export function inactivityCheck(
  node: InactivityState,
  nowMicros: Micros,
  peerConnectTimeoutSeconds: number,
): InactivityReason | null {
  if (!shouldRunInactivityChecks(node, nowMicros, peerConnectTimeoutSeconds)) return null;

  const hasReceived = node.lastRecvMicros > 0;
  const hasSent = node.lastSendMicros > 0;
  if (!hasReceived || !hasSent) return 'socket-no-message';

  if (nowMicros > node.lastSendMicros + TIMEOUT_INTERVAL) return 'socket-send-timeout';
  if (nowMicros > node.lastRecvMicros + TIMEOUT_INTERVAL) return 'socket-receive-timeout';

  if (!node.successfullyConnected) {
    return node.transportDetecting ? 'v2-handshake-timeout' : 'version-handshake-timeout';
  }
  return null;
}

/**
 * The first microsecond t at which inactivityCheck(node, t, timeout) is non-null, assuming the node's
 * fields do not change meanwhile. It always exists: with no further activity the send/receive
 * timeouts eventually fire. For every t < deadline the check returns null; for every t >= deadline
 * it returns a reason.
 */
export function nextInactivityDeadline(node: InactivityState, peerConnectTimeoutSeconds: number): Micros {
  const start = inactivityChecksStartMicros(node, peerConnectTimeoutSeconds);
  const hasReceived = node.lastRecvMicros > 0;
  const hasSent = node.lastSendMicros > 0;
  // Rules 1 and 4 hold from the moment the checks start.
  if (!hasReceived || !hasSent || !node.successfullyConnected) return start;
  // Rules 2 and 3: strictly more than TIMEOUT_INTERVAL after the last send / receive.
  const idleLimit = Math.min(node.lastSendMicros, node.lastRecvMicros) + TIMEOUT_INTERVAL + 1;
  return Math.max(start, idleLimit);
}

/**
 * The ping timeout: after the grace period, a ping still unanswered strictly more than
 * TIMEOUT_INTERVAL after it was queued drops the peer. Core reaches this only from SendMessages for
 * fully connected peers (and from the private-broadcast GETDATA path), which the caller decides.
 */
// Core: net_processing.cpp PeerManagerImpl::MaybeSendPing (its timeout branch)
export function pingTimeoutCheck(
  node: { connectedMicros: Micros },
  ping: PingState,
  nowMicros: Micros,
  peerConnectTimeoutSeconds: number,
): PingTimeoutReason | null {
  if (
    shouldRunInactivityChecks(node, nowMicros, peerConnectTimeoutSeconds) &&
    ping.pingOutstanding &&
    nowMicros > ping.pingStartMicros + TIMEOUT_INTERVAL
  ) {
    return 'ping-timeout';
  }
  return null;
}

/**
 * The first microsecond at which pingTimeoutCheck fires for a frozen ping state, or null when no
 * ping is outstanding (then it never fires until a ping is sent).
 */
export function nextPingTimeoutDeadline(
  node: { connectedMicros: Micros },
  ping: PingState,
  peerConnectTimeoutSeconds: number,
): Micros | null {
  if (!ping.pingOutstanding) return null;
  return Math.max(
    inactivityChecksStartMicros(node, peerConnectTimeoutSeconds),
    ping.pingStartMicros + TIMEOUT_INTERVAL + 1,
  );
}

/**
 * Core's debug-log line for an inactivity disconnect (InactivityCheck's LogDebug calls), e.g.
 * "socket no message in first 3 seconds, never received from peer, never sent to peer, disconnecting peer=2".
 */
// Core: net.cpp CConnman::InactivityCheck (its log lines)
export function inactivityLogLine(
  reason: InactivityReason,
  node: Pick<InactivityState, 'lastSendMicros' | 'lastRecvMicros'>,
  nowMicros: Micros,
  peerConnectTimeoutSeconds: number,
  nodeId: number,
): string {
  const disconnecting = `disconnecting peer=${nodeId}`;
  switch (reason) {
    case 'socket-no-message': {
      let never = '';
      if (!(node.lastRecvMicros > 0)) never += ', never received from peer';
      if (!(node.lastSendMicros > 0)) never += ', never sent to peer';
      return `socket no message in first ${peerConnectTimeoutSeconds} seconds${never}, ${disconnecting}`;
    }
    case 'socket-send-timeout':
      return `socket sending timeout: ${Math.trunc((nowMicros - node.lastSendMicros) / MICROS_PER_SECOND)}s, ${disconnecting}`;
    case 'socket-receive-timeout':
      return `socket receive timeout: ${Math.trunc((nowMicros - node.lastRecvMicros) / MICROS_PER_SECOND)}s, ${disconnecting}`;
    case 'v2-handshake-timeout':
      return `V2 handshake timeout, ${disconnecting}`;
    case 'version-handshake-timeout':
      return `version handshake timeout, ${disconnecting}`;
  }
}
