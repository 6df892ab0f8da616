// The added-node list of CConnman (-addnode and RPC `addnode add`, net.cpp): adding with
// duplicate detection, removal, the AddedNodesContain filter of automatic selection, and
// GetAddedNodeInfo over the current connections. It does not open connections (that is
// Connman.threadOpenAddedConnections) and resolves only numeric hosts (no DNS in the simulation).

import type { Network } from '../protocol/netaddress.ts';
import { lookupNumeric, type Service } from '../protocol/netaddress.ts';
import { maybeFlipServiceToCJDNS } from '../protocol/netbase.ts';

/** Core: net.h AddedNodeParams */
export interface AddedNodeParams {
  readonly addedNode: string;
  readonly useV2Transport: boolean;
}

/** Core: net.h AddedNodeInfo */
export interface AddedNodeInfo {
  readonly params: AddedNodeParams;
  /** The connected peer's address, or null while not connected. */
  readonly resolvedAddress: Service | null;
  readonly connected: boolean;
  readonly inbound: boolean;
}

/** A connection as GetAddedNodeInfo sees it. */
export interface AddedNodeConn {
  readonly addr: Service;
  readonly addrName: string;
  readonly inbound: boolean;
}

/** AddedNodesContain only answers for short lists (a bound on the cost of a lookup). */
const ADDED_NODES_CONTAIN_LIMIT = 24;

/** The default port for a host string: 0 for I2P (SAM 3.1 has no ports), else the chain's. */
// Core: chainparams.h CChainParams::GetDefaultPort(const std::string&)
export function defaultPortFor(addr: string, chainPort: number): number {
  const host = addr.replace(/:\d+$/, '').toLowerCase();
  return host.endsWith('.i2p') ? 0 : chainPort;
}

export class AddedNodes {
  readonly list: AddedNodeParams[] = [];

  constructor(
    private readonly chainPort: number,
    private readonly reachable: ReadonlySet<Network>,
  ) {}

  private resolve(s: string): Service {
    return lookupNumeric(s, defaultPortFor(s, this.chainPort));
  }

  /** Startup -addnode values: appended as given (empty ones dropped), duplicates kept. */
  // Core: net.h CConnman::Init (m_added_node_params from m_added_nodes)
  initFrom(addedNodes: readonly string[], useV2Transport: boolean): void {
    for (const s of addedNodes) if (s !== '') this.list.push({ addedNode: s, useV2Transport });
  }

  /** Fails if the same string is listed, or another entry resolves numerically to the same service. */
  // Core: net.cpp CConnman::AddNode
  addNode(add: AddedNodeParams): boolean {
    const resolved = this.resolve(add.addedNode);
    const valid = resolved.isValid();
    for (const it of this.list) {
      if (add.addedNode === it.addedNode) return false;
      if (valid && resolved.equals(this.resolve(it.addedNode))) return false;
    }
    this.list.push(add);
    return true;
  }

  // Core: net.cpp CConnman::RemoveAddedNode
  removeAddedNode(node: string): boolean {
    const i = this.list.findIndex((p) => p.addedNode === node);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  // Core: net.cpp CConnman::AddedNodesContain
  addedNodesContain(addr: Service): boolean {
    if (this.list.length >= ADDED_NODES_CONTAIN_LIMIT) return false;
    const a = addr.toStringAddr();
    const ap = addr.toStringAddrPort();
    return this.list.some((p) => p.addedNode === a || p.addedNode === ap);
  }

  /**
   * Each entry with whether some connection (any direction, any type) matches it: by IP and port
   * when the entry is numeric, else by the connection's name.
   */
  // Core: net.cpp CConnman::GetAddedNodeInfo
  getAddedNodeInfo(includeConnected: boolean, nodes: Iterable<AddedNodeConn>): AddedNodeInfo[] {
    // Later nodes overwrite earlier ones, as Core's std::map assignments do.
    const byService = new Map<string, boolean>();
    const byName = new Map<string, { inbound: boolean; addr: Service }>();
    for (const n of nodes) {
      if (n.addr.isValid()) byService.set(n.addr.key, n.inbound);
      if (n.addrName !== '') byName.set(n.addrName, { inbound: n.inbound, addr: n.addr });
    }
    const out: AddedNodeInfo[] = [];
    for (const params of this.list) {
      const service = maybeFlipServiceToCJDNS(this.resolve(params.addedNode), this.reachable);
      let info: AddedNodeInfo = { params, resolvedAddress: null, connected: false, inbound: false };
      if (service.isValid()) {
        const inbound = byService.get(service.key);
        if (inbound !== undefined) {
          if (!includeConnected) continue;
          info = { params, resolvedAddress: service, connected: true, inbound };
        }
      } else {
        const hit = byName.get(params.addedNode);
        if (hit !== undefined) {
          if (!includeConnected) continue;
          info = { params, resolvedAddress: hit.addr, connected: true, inbound: hit.inbound };
        }
      }
      out.push(info);
    }
    return out;
  }
}
