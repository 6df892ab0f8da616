// The RunResult: the plain, JSON-serialisable record of one simulation run that every chart, CSV
// and report page is built from, plus the per-node snapshot shape the scenarios-side recorder
// produces at each sampling tick.
//
// This file holds only types and the fixed vocabularies (connection types, disconnect and eviction
// reasons) with their display order. It holds no logic: the metrics that turn snapshots into
// samples live in metrics.ts, the charts in charts-*.ts. Nothing here is a class instance, a Map or
// a Set, so `JSON.parse(JSON.stringify(result))` is the identity and `result.json` round-trips.
//
// Units are in the names: `…Micros` is simulated microseconds since the start of the run (or a
// duration in simulated microseconds), `…Bytes` is bytes on the wire (24-byte header included),
// `…Share` and `…Fraction` are in [0, 1], `…Bits` is Shannon entropy in bits (log base 2).

/**
 * Bumped whenever a field changes meaning or is removed; readers refuse other versions.
 * 2: disconnect reasons in Core's words ('other' split into socket-closed, socket-recv-error,
 *    shutdown, node-crashed, …; no-send/no-recv renamed socket-send-timeout/socket-receive-timeout;
 *    socket-no-message apart from handshake-timeout); node samples count every inbound slot
 *    (inboundSlots, handshake done or not) and the entropy of outbound ASNs.
 */
export const RUN_RESULT_FORMAT_VERSION = 2;

/** The file name a run directory keeps its RunResult under (pretty JSON, trailing newline). */
export const RUN_RESULT_FILE_NAME = 'result.json';

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/**
 * Outbound connection types as counted in the series, keyed in camelCase. Their Core names
 * (node/connection_types.cpp ConnectionTypeAsString) are in OUTBOUND_CONN_TYPES below.
 */
export type OutboundConnKey = 'fullRelay' | 'blockRelay' | 'manual' | 'feeler' | 'addrFetch' | 'privateBroadcast';

/** Every connection type by Core's RPC name, inbound included (for churn and disconnects). */
export type ConnTypeName =
  | 'outbound-full-relay'
  | 'block-relay-only'
  | 'manual'
  | 'feeler'
  | 'addr-fetch'
  | 'private-broadcast'
  | 'inbound';

/** One outbound connection type: its key in the series, Core's name and a chart label. */
export interface OutboundConnTypeInfo {
  key: OutboundConnKey;
  coreName: ConnTypeName;
  label: string;
  /** Counts towards "fully eclipsed": a long-lived connection that carries blocks. */
  longLived: boolean;
}

/** Display (and CSV column) order of outbound connection types. */
export const OUTBOUND_CONN_TYPES: readonly OutboundConnTypeInfo[] = [
  { key: 'fullRelay', coreName: 'outbound-full-relay', label: 'full-relay', longLived: true },
  { key: 'blockRelay', coreName: 'block-relay-only', label: 'block-relay-only', longLived: true },
  { key: 'manual', coreName: 'manual', label: 'manual', longLived: true },
  { key: 'feeler', coreName: 'feeler', label: 'feeler', longLived: false },
  { key: 'addrFetch', coreName: 'addr-fetch', label: 'addr-fetch', longLived: false },
  { key: 'privateBroadcast', coreName: 'private-broadcast', label: 'private-broadcast', longLived: false },
];

/** Display order of every connection type (outbound ones first, then inbound). */
export const CONN_TYPE_NAMES: readonly ConnTypeName[] = [
  'outbound-full-relay',
  'block-relay-only',
  'manual',
  'feeler',
  'addr-fetch',
  'private-broadcast',
  'inbound',
];

/**
 * Why a connection ended, in Core's words: each reason names the log line Core writes when it
 * drops a connection for that reason (net.cpp, net_processing.cpp, netbase.cpp), so a reason here
 * can be looked up in a real node's debug.log. DISCONNECT_REASON_INFO below gives each one's log
 * line and meaning; the scenarios side maps connman's CloseReason onto these.
 */
export type DisconnectReason =
  | 'connect-timeout'
  | 'socket-no-message'
  | 'handshake-timeout'
  | 'socket-send-timeout'
  | 'socket-receive-timeout'
  | 'ping-timeout'
  | 'socket-closed'
  | 'socket-recv-error'
  | 'eviction'
  | 'feeler-done'
  | 'addr-fetch-done'
  | 'handshake-refused'
  | 'misbehaviour'
  | 'block-download-timeout'
  | 'upload-target-reached'
  | 'disconnect-requested'
  | 'network-inactive'
  | 'shutdown'
  | 'node-crashed';

/** One disconnect reason: Core's log line for it, what it means, and whether it is an inactivity timeout. */
export interface DisconnectReasonInfo {
  reason: DisconnectReason;
  /** The start of the line Core logs (debug category net unless said otherwise). */
  coreLog: string;
  /** What happened, in one phrase. */
  meaning: string;
  /**
   * Dropped by Core's inactivity rules: CConnman::InactivityCheck (no first message within
   * -peertimeout, no send or receive within TIMEOUT_INTERVAL, no VERACK within -peertimeout) or
   * PeerManagerImpl::MaybeSendPing (a ping unanswered for TIMEOUT_INTERVAL).
   */
  inactivity: boolean;
}

/** Every disconnect reason in display order (the inactivity timeouts first, then what the peer did, then our choices). */
export const DISCONNECT_REASON_INFO: readonly DisconnectReasonInfo[] = [
  { reason: 'connect-timeout', coreLog: 'connection attempt to … timed out', meaning: 'our outbound TCP connect did not complete within -timeout, 5 s by default', inactivity: false },
  { reason: 'socket-no-message', coreLog: 'socket no message in first … seconds', meaning: 'nothing sent or nothing received within -peertimeout of connecting', inactivity: true },
  { reason: 'handshake-timeout', coreLog: 'version handshake timeout / V2 handshake timeout', meaning: 'no VERACK within -peertimeout of connecting', inactivity: true },
  { reason: 'socket-send-timeout', coreLog: 'socket sending timeout', meaning: 'nothing sent for TIMEOUT_INTERVAL, 20 min', inactivity: true },
  { reason: 'socket-receive-timeout', coreLog: 'socket receive timeout', meaning: 'nothing received for TIMEOUT_INTERVAL, 20 min', inactivity: true },
  { reason: 'ping-timeout', coreLog: 'ping timeout', meaning: 'a ping unanswered for TIMEOUT_INTERVAL, 20 min', inactivity: true },
  { reason: 'socket-closed', coreLog: 'socket closed', meaning: 'the peer closed the connection', inactivity: false },
  { reason: 'socket-recv-error', coreLog: 'socket recv error', meaning: 'the connection was reset: the peer vanished', inactivity: false },
  { reason: 'eviction', coreLog: 'selected … connection for eviction / disconnecting extra outbound peer / Outbound peer has old chain', meaning: 'we dropped it to make room or to replace it, by one of the eviction rules', inactivity: false },
  { reason: 'feeler-done', coreLog: 'feeler connection completed', meaning: 'a feeler finished its probe', inactivity: false },
  { reason: 'addr-fetch-done', coreLog: 'addrfetch connection completed / addrfetch connection timeout', meaning: 'an addr-fetch connection got its addresses, or gave up waiting', inactivity: false },
  { reason: 'handshake-refused', coreLog: 'peer does not offer the expected services / peer using obsolete version / connected to self', meaning: "we refused the peer's VERSION", inactivity: false },
  { reason: 'misbehaviour', coreLog: 'Disconnecting and discouraging peer / … in violation of protocol', meaning: 'the peer broke the protocol or was discouraged', inactivity: false },
  { reason: 'block-download-timeout', coreLog: 'Timeout downloading block / Peer is stalling block download', meaning: 'a block request to the peer timed out', inactivity: false },
  { reason: 'upload-target-reached', coreLog: 'historical block serving limit reached / mempool request with bandwidth limit reached', meaning: '-maxuploadtarget reached: the peer asked for an old block or for our mempool', inactivity: false },
  { reason: 'disconnect-requested', coreLog: 'disconnect by address / disconnect by id', meaning: 'disconnectnode: the scenario asked for it', inactivity: false },
  { reason: 'network-inactive', coreLog: 'Network not active', meaning: 'setnetworkactive false', inactivity: false },
  { reason: 'shutdown', coreLog: 'Stopping node', meaning: 'the node shut down: a restart, or the end of its life', inactivity: false },
  { reason: 'node-crashed', coreLog: '(none: the process died)', meaning: 'the node crashed; its connections ended without a close', inactivity: false },
];

/** Display order of disconnect reasons (the inactivity timeouts first). */
export const DISCONNECT_REASONS: readonly DisconnectReason[] = DISCONNECT_REASON_INFO.map((i) => i.reason);

/** The inactivity timeouts among the disconnect reasons (DisconnectReasonInfo.inactivity). */
export const INACTIVITY_TIMEOUT_REASONS: readonly DisconnectReason[] = DISCONNECT_REASON_INFO.filter((i) => i.inactivity).map((i) => i.reason);

/**
 * Which rule chose an evicted peer.
 *   inbound-slots-full          CConnman::AttemptToEvictConnection (SelectNodeToEvict) on a new inbound;
 *   tx-relay-capacity           EvictTxPeerIfFull / MaybeDisconnectForTxRelayCapacity;
 *   extra-full-relay-outbound   PeerManagerImpl::EvictExtraOutboundPeers, full-relay branch;
 *   extra-block-relay-outbound  PeerManagerImpl::EvictExtraOutboundPeers, block-relay-only branch;
 *   outbound-old-chain          PeerManagerImpl::ConsiderEviction ("outbound peer has old chain");
 *   other                       anything else.
 */
export type EvictionReason =
  | 'inbound-slots-full'
  | 'tx-relay-capacity'
  | 'extra-full-relay-outbound'
  | 'extra-block-relay-outbound'
  | 'outbound-old-chain'
  | 'other';

/** Display order of eviction reasons. */
export const EVICTION_REASONS: readonly EvictionReason[] = [
  'inbound-slots-full',
  'tx-relay-capacity',
  'extra-full-relay-outbound',
  'extra-block-relay-outbound',
  'outbound-old-chain',
  'other',
];

/** A node's part in the scenario. Victims are honest nodes singled out for per-node series. */
export type NodeRole = 'honest' | 'victim' | 'attacker';

// ---------------------------------------------------------------------------------------------
// What the scenarios-side recorder produces at each sampling tick
// ---------------------------------------------------------------------------------------------

/** One outbound connection of a node, as seen at a sampling tick. */
export interface OutboundPeerSnapshot {
  connType: OutboundConnKey;
  /**
   * The peer's network group (NetGroupManager::GetGroup) as lowercase hex: the network class byte
   * then the prefix bytes, e.g. "01c0a8" for 192.168.0.0/16, or "02" and the AS number
   * little-endian when an asmap maps the address.
   */
  netgroupHex: string;
  /** The peer's AS number from the asmap, 0 when unmapped or when no asmap is loaded. */
  asn: number;
  /** Whether the peer is run by the attacker. */
  attacker: boolean;
}

/** One inbound connection of a node, as seen at a sampling tick. */
export interface InboundPeerSnapshot {
  netgroupHex: string;
  attacker: boolean;
}

/** The state of one node at one sampling tick (the recorder builds one per honest node). */
export interface NodeSnapshot {
  nodeId: number;
  /** 'honest' or 'victim'; attacker nodes are not snapshotted. */
  role: NodeRole;
  /** Fully connected outbound peers (handshake done), in any order. */
  outbound: OutboundPeerSnapshot[];
  /** Fully connected inbound peers, in any order. */
  inbound: InboundPeerSnapshot[];
  /**
   * Every inbound connection the node holds, handshake done or not (Core counts each against its
   * inbound limit from the moment it accepts the socket), and how many of them are the attacker's.
   */
  inboundSlots: number;
  inboundSlotsAttacker: number;
  /** The node's inbound limit: Core's m_max_inbound (-maxconnections less the automatic outbound slots). */
  inboundLimit: number;
  /** AddrMan new-table entries, and how many of them are attacker addresses. */
  addrmanNew: number;
  addrmanNewAttacker: number;
  /** AddrMan tried-table entries, and how many of them are attacker addresses. */
  addrmanTried: number;
  addrmanTriedAttacker: number;
}

// ---------------------------------------------------------------------------------------------
// Series
// ---------------------------------------------------------------------------------------------

/** Connections of one type: how many there are and how many of them go to attackers. */
export interface SlotCount {
  total: number;
  attacker: number;
}

/** Outbound connections by type (every key always present, zeros included). */
export type OutboundByType = Record<OutboundConnKey, SlotCount>;

/** Percentiles of a per-node quantity across honest nodes at one tick (null when there are no nodes). */
export interface Percentiles {
  min: number | null;
  p10: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p90: number | null;
  max: number | null;
}

/** One inbound network group of a node and how many inbound slots it holds. */
export interface InboundNetgroupCount {
  netgroupHex: string;
  count: number;
  /** How many of those inbound peers are the attacker's. */
  attacker: number;
}

/** The metrics of one node at one tick (derived from its NodeSnapshot by metrics.ts nodeSample). */
export interface NodeSample {
  tMicros: number;
  nodeId: number;
  role: NodeRole;
  outbound: OutboundByType;
  /** Long-lived outbound (full-relay, block-relay-only, manual) connections, and to attackers. */
  longLivedOutbound: number;
  longLivedOutboundAttacker: number;
  /** Every long-lived outbound connection goes to the attacker (and there is at least one). */
  eclipsed: boolean;
  /** Distinct network groups and distinct ASNs among all outbound peers. */
  distinctNetgroups: number;
  distinctAsns: number;
  /** Shannon entropy of the outbound peers' network groups, in bits (0 with zero or one peer). */
  netgroupEntropyBits: number;
  /** Shannon entropy of the outbound peers' AS numbers, in bits (unmapped addresses count as one ASN, 0). */
  asnEntropyBits: number;
  /** Fully connected inbound peers (handshake done), and how many are the attacker's. */
  inboundTotal: number;
  inboundAttacker: number;
  /** Every inbound slot in use, handshake done or not, and the attacker's (NodeSnapshot.inboundSlots). */
  inboundSlots: number;
  inboundSlotsAttacker: number;
  /** The node's inbound limit (Core's m_max_inbound). */
  inboundLimit: number;
  inboundDistinctNetgroups: number;
  /** Largest single network group's share of inbound slots (null with no inbound peers). */
  inboundTopNetgroupShare: number | null;
  addrmanNew: number;
  addrmanNewAttacker: number;
  addrmanTried: number;
  addrmanTriedAttacker: number;
}

/** Aggregates over all honest nodes (victims included) at one tick. */
export interface NetworkSample {
  tMicros: number;
  honestNodes: number;
  /** Honest nodes fully eclipsed, and as a fraction of honestNodes (0 when there are none). */
  eclipsedNodes: number;
  eclipsedFraction: number;
  /** Outbound connections by type, summed over honest nodes. */
  outbound: OutboundByType;
  /** AddrMan table sizes summed over honest nodes, and the attacker entries among them. */
  addrmanNew: number;
  addrmanNewAttacker: number;
  addrmanTried: number;
  addrmanTriedAttacker: number;
  distinctNetgroups: Percentiles;
  distinctAsns: Percentiles;
  netgroupEntropyBits: Percentiles;
  asnEntropyBits: Percentiles;
  /** Percentiles over nodes with at least one inbound peer. */
  inboundTopNetgroupShare: Percentiles;
}

/** What summariseSnapshots returns for one tick. */
export interface TickSummary {
  network: NetworkSample;
  /** One per snapshot, in nodeId order. */
  nodes: NodeSample[];
}

export interface RunSeries {
  /** One sample per tick, in time order. */
  network: NetworkSample[];
  /** Per-tick samples of the victims, ordered by (tMicros, nodeId). Empty when there are no victims. */
  victims: NodeSample[];
  /** Every honest node at the last tick, in nodeId order (the end-of-run distributions). */
  finalNodes: NodeSample[];
  /** Inbound slots by network group for each victim at the last tick, ordered by (nodeId, count desc, netgroupHex). */
  victimInboundNetgroups: Array<InboundNetgroupCount & { nodeId: number }>;
}

// ---------------------------------------------------------------------------------------------
// Event-derived aggregates
// ---------------------------------------------------------------------------------------------

/** One ended connection, as the scenarios side records it (input to metrics.ts disconnectAggregates). */
export interface DisconnectRecord {
  tMicros: number;
  nodeId: number;
  connType: ConnTypeName;
  reason: DisconnectReason;
  /**
   * Time from the connection's start to its end. The start is the connect attempt for
   * connect-timeout, and the moment the socket connected (Core's m_connected) otherwise.
   */
  durationMicros: number;
  attackerPeer: boolean;
}

/** Disconnects of one reason in one time bin [tMicros, tMicros + binMicros). */
export interface DisconnectBin {
  tMicros: number;
  reason: DisconnectReason;
  count: number;
}

/** Time-to-disconnect distribution of one reason. */
export interface TimeToDisconnect {
  reason: DisconnectReason;
  count: number;
  /** How many of them had an attacker peer. */
  attackerPeers: number;
  /**
   * The distribution as 101 quantiles (p = 0, 0.01, …, 1; nearest-rank), enough to draw its ECDF;
   * empty when count is 0.
   */
  quantilesMicros: number[];
}

/** Connections of one type opened and closed in one time bin [tMicros, tMicros + binMicros). */
export interface ConnectionBin {
  tMicros: number;
  connType: ConnTypeName;
  opened: number;
  closed: number;
}

export interface EvictionCount {
  reason: EvictionReason;
  count: number;
}

/** P2P traffic of one message type, summed over honest nodes. */
export interface MessageBytes {
  /** Core's message type string ("version", "addrv2", …). */
  msgType: string;
  sentBytes: number;
  recvBytes: number;
  sentMessages: number;
  recvMessages: number;
}

export interface RunEvents {
  /** Width of the time bins below (usually the sampling interval). */
  binMicros: number;
  /** Bins ordered by (tMicros, reason display order); empty bins are omitted. */
  disconnects: DisconnectBin[];
  /** One entry per reason in DISCONNECT_REASONS order that occurred at least once. */
  timeToDisconnect: TimeToDisconnect[];
  /** Bins ordered by (tMicros, connType display order); bins with no opens and no closes are omitted. */
  connections: ConnectionBin[];
  /** One entry per reason in EVICTION_REASONS order that occurred at least once. */
  evictions: EvictionCount[];
}

// ---------------------------------------------------------------------------------------------
// The per-connection log (data/connections.csv), streamed as connections close
// ---------------------------------------------------------------------------------------------

/**
 * One connection of an honest node, from its CNode's creation to its end. A connection between
 * two honest nodes is two rows, one from each side. Failed connection attempts (no CNode; they
 * are the connect-timeout disconnects) are not connections and have no row.
 */
export interface ConnectionLogRow {
  /** When the connection was created (Core's m_connected), simulated µs since the start of the run. */
  openMicros: number;
  /** When it ended; null if it was still open at the end of the run. */
  closeMicros: number | null;
  /** The honest node (world index) whose connection this is. */
  node: number;
  /** The peer's address as getpeerinfo's "addr" shows it ("ip:port"; an inbound peer's source port). */
  peer: string;
  /** The peer's world index when the peer is a simulated honest node, else null. */
  peerNode: number | null;
  connType: ConnTypeName;
  /** getpeerinfo's "network": Core's GetNetworkName of ConnectedThroughNetwork (ipv4, ipv6, onion, i2p, cjdns). */
  network: string;
  /** The peer's netgroup as this node computes it (NetGroupManager::GetGroup), lowercase hex. */
  netgroupHex: string;
  /** The peer's AS number (0: unmapped); null when the run has no AS model. */
  asn: number | null;
  attacker: boolean;
  /** The VERSION/VERACK handshake completed (fSuccessfullyConnected) before the connection ended (or by the end of the run). */
  handshake: boolean;
  /** Why it ended, in Core's words (DISCONNECT_REASON_INFO); null while open. */
  closeReason: DisconnectReason | null;
  /** For an eviction: which rule chose it; else null. */
  evictionRule: EvictionReason | null;
}

// ---------------------------------------------------------------------------------------------
// Marks, checks, identity
// ---------------------------------------------------------------------------------------------

/** A named moment drawn as a labelled vertical rule on every time chart. */
export interface RunMark {
  tMicros: number;
  label: string;
}

/** A named expectation of the scenario, evaluated at the end of the run. */
/**
 * 'health': the run itself is sound (invariants, the world formed, the script's timeline held);
 * 'outcome': the answer to the scenario's question (did the attack work, did a defence hold)
 * against what the scenario expected. A sweep counts a failed health check as a failed run and an
 * unexpected outcome as a result.
 */
export type CheckKind = 'health' | 'outcome';

export interface RunCheck {
  name: string;
  passed: boolean;
  /** One human-readable sentence: what was measured against what. */
  detail: string;
  /** Absent in result.json files written before check kinds existed: health. */
  kind?: CheckKind;
}

/** Time-to-eclipse of one victim. */
export interface VictimEclipse {
  nodeId: number;
  /** First tick at which the victim was fully eclipsed, minus attackStartMicros; null if never. */
  timeToEclipseMicros: number | null;
}

/** A resolved scenario parameter (name/value pairs, sorted by name, so the order is stable). */
export interface RunParam {
  name: string;
  /** The resolved value; a 'duration' is in microseconds. */
  value: string | number | boolean | null;
  /** The type the scenario declares (absent in runs made before it was recorded): a 'duration' is shown as one. */
  type?: 'integer' | 'number' | 'boolean' | 'string' | 'duration' | 'distribution';
}

/** A scenario metric as the report shows it. */
export interface RunMetric {
  name: string;
  value: number;
  kind: string;
  description: string;
}

export interface RunIdentity {
  scenario: string;
  /** The seed exactly as given on the command line. */
  seed: string;
  /** The version profile (e.g. "core-v29", "no-feelers"). */
  profile: string;
  /** Every resolved parameter, sorted by name. */
  params: RunParam[];
  /** Simulated duration of the run. */
  durationMicros: number;
  /** Simulated time between two sampling ticks. */
  sampleIntervalMicros: number;
  /** When the attack began (0 when the scenario has no attack, or it starts with the run). */
  attackStartMicros: number;
  honestNodes: number;
  attackerNodes: number;
  /**
   * Addresses had AS numbers in this run (an AS model: the built-in synthetic one or --asmap).
   * False: every ASN is 0 and the ASN series say nothing. Absent (runs made as a library): unknown.
   */
  asModel?: boolean;
  /** Victims' node ids, ascending. */
  victimIds: number[];
  /** The world settings in force, as canonical text by key (summary.json's `world`; absent in older files). */
  world?: Record<string, string>;
  /** The scenario's metrics at the end, by name, with their declared kind and meaning (absent in older files). */
  metrics?: RunMetric[];
  /** Input files (--asmap, --seed-list, --population) by kind, as path and sha256 (absent in older files). */
  inputs?: { kind: string; path: string; sha256: string }[];
  eventsProcessed: number;
  /** The trace digest the run printed (sim/trace.ts). */
  traceDigest: string;
  /** connsim's version string (package version plus git revision, as the CLI resolves it). */
  codeVersion: string;
  /** The Node version the run ran on (set by the CLI; absent in older files and in runs made as a library). */
  nodeVersion?: string;
  /** The command line as typed (set by the CLI; absent in older files). */
  command?: string;
  /** The command that reproduces the run. */
  reproduce: string;
}

export interface RunResult {
  formatVersion: typeof RUN_RESULT_FORMAT_VERSION;
  identity: RunIdentity;
  series: RunSeries;
  events: RunEvents;
  /** P2P traffic per message type, ordered by msgType. */
  bytes: MessageBytes[];
  /** Ordered by (tMicros, label). */
  marks: RunMark[];
  /** In the scenario's own order. */
  checks: RunCheck[];
  /** One per victim, in nodeId order. */
  eclipses: VictimEclipse[];
}

/** An OutboundByType with every count zero. */
export function emptyOutboundByType(): OutboundByType {
  return {
    fullRelay: { total: 0, attacker: 0 },
    blockRelay: { total: 0, attacker: 0 },
    manual: { total: 0, attacker: 0 },
    feeler: { total: 0, attacker: 0 },
    addrFetch: { total: 0, attacker: 0 },
    privateBroadcast: { total: 0, attacker: 0 },
  };
}
