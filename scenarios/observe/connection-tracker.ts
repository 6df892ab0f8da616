// Follows every node's open connections from the Connman events alone (opened / closed), and checks
// the invariants DESIGN.md asks of every run as they happen: outbound counts within Core's limits,
// inbound within the node's limit, no two connections of one node to the same address, distinct
// netgroups among a node's outbound full-relay / block-relay / manual peers. Violations are
// collected, not thrown, so a test can print them all. It reads no Connman internals.

import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { NetGroupManager } from '../../connman/netgroup/netgroup.ts';
import { parseService } from '../../connman/protocol/netaddress.ts';
import type { ConnmanEvent, Micros } from '../../connman/ports.ts';

export interface OpenConnection {
  readonly nodeId: number;
  readonly addr: string;
  readonly connType: ConnectionType;
  readonly inbound: boolean;
  readonly openedAt: Micros;
  /** The peer's netgroup as hex (IPv4 /16, IPv6 /32 ...). */
  readonly netgroup: string;
}

export interface TrackerLimits {
  maxOutboundFullRelay: number;
  maxOutboundBlockRelay: number;
  maxInbound: number;
}

const netgroups = new NetGroupManager();

function netgroupOf(addr: string): string {
  const r = parseService(addr, 0);
  if (!r.ok) return `?${addr}`;
  let hex = '';
  for (const b of netgroups.getGroup(r.value)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function ipOf(addr: string): string {
  const r = parseService(addr, 0);
  return r.ok ? r.value.toStringAddr() : addr;
}

export class ConnectionTracker {
  /** Per node: CNode id → open connection, in opening order. */
  readonly open: Map<number, OpenConnection>[] = [];
  readonly violations: string[] = [];
  /** Highest number of simultaneous inbound connections seen per node. */
  readonly maxInboundSeen: number[] = [];
  /** Highest number of simultaneous outbound full-relay connections seen per node (extras included). */
  readonly maxFullRelaySeen: number[] = [];

  constructor(
    private readonly now: () => Micros,
    /** Limits per node, or undefined to skip limit checks for that node. */
    private readonly limits: (node: number) => TrackerLimits | undefined,
  ) {}

  /** Feed every event here (e.g. `recorder.listen((n, e) => tracker.onEvent(n, e))`). */
  onEvent(node: number, e: ConnmanEvent): void {
    if (e.kind === 'connection-opened') this.opened(node, e.nodeId, e.addr, e.connType, e.inbound);
    else if (e.kind === 'connection-closed') this.mapFor(node).delete(e.nodeId);
    // An evicted peer is marked for disconnection at once and no longer counts against the limit
    // (Core accepts the newcomer in the same step and reaps the victim on its next pass).
    else if (e.kind === 'eviction') this.mapFor(node).delete(e.victimId);
  }

  /** Forget a node's connections (it stopped or crashed: no close events follow for them). */
  resetNode(node: number): void {
    this.mapFor(node).clear();
  }

  connections(node: number): OpenConnection[] {
    return [...this.mapFor(node).values()];
  }

  count(node: number, type: ConnectionType): number {
    let n = 0;
    for (const c of this.mapFor(node).values()) if (c.connType === type) n++;
    return n;
  }

  private mapFor(node: number): Map<number, OpenConnection> {
    let m = this.open[node];
    if (m === undefined) {
      m = new Map();
      this.open[node] = m;
      this.maxInboundSeen[node] = 0;
      this.maxFullRelaySeen[node] = 0;
    }
    return m;
  }

  private opened(node: number, nodeId: number, addr: string, connType: ConnectionType, inbound: boolean): void {
    const m = this.mapFor(node);
    const conn: OpenConnection = { nodeId, addr, connType, inbound, openedAt: this.now(), netgroup: netgroupOf(addr) };
    const where = `t=${this.now()} node ${node}`;
    if (!inbound) {
      const ip = ipOf(addr);
      for (const c of m.values()) {
        if (!c.inbound && ipOf(c.addr) === ip) this.violations.push(`${where}: second outbound connection to ${ip} (${c.addr}, ${addr})`);
      }
      if (connType === ConnectionType.OUTBOUND_FULL_RELAY || connType === ConnectionType.BLOCK_RELAY) {
        for (const c of m.values()) {
          const diverse = c.connType === ConnectionType.OUTBOUND_FULL_RELAY || c.connType === ConnectionType.BLOCK_RELAY || c.connType === ConnectionType.MANUAL;
          if (diverse && c.netgroup === conn.netgroup) this.violations.push(`${where}: outbound ${addr} shares netgroup with ${c.addr}`);
        }
      }
    }
    m.set(nodeId, conn);
    let inboundCount = 0;
    let full = 0;
    let block = 0;
    for (const c of m.values()) {
      if (c.inbound) inboundCount++;
      else if (c.connType === ConnectionType.OUTBOUND_FULL_RELAY) full++;
      else if (c.connType === ConnectionType.BLOCK_RELAY) block++;
    }
    this.maxInboundSeen[node] = Math.max(this.maxInboundSeen[node]!, inboundCount);
    this.maxFullRelaySeen[node] = Math.max(this.maxFullRelaySeen[node]!, full);
    const lim = this.limits(node);
    if (lim === undefined) return;
    if (inboundCount > lim.maxInbound) this.violations.push(`${where}: ${inboundCount} inbound > ${lim.maxInbound}`);
    // One extra full-relay peer (stale tip) and one extra block-relay peer are allowed by Core.
    if (full > lim.maxOutboundFullRelay + 1) this.violations.push(`${where}: ${full} full-relay outbound`);
    if (block > lim.maxOutboundBlockRelay + 1) this.violations.push(`${where}: ${block} block-relay outbound`);
  }
}
