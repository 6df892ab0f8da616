// The addresses of the connections in m_nodes, counted per IP (CNetAddr) and per IP and port
// (CService). The Connman updates it wherever m_nodes gains or loses a node, so that Core's
// AlreadyConnectedToAddress and AlreadyConnectedToAddressPort are one lookup instead of a scan of
// every connection (they run on every outbound attempt, and a listening node holds dozens of
// peers). The answers are those of the scans; a test compares them. Not part of Core.

import type { NetAddr, Service } from '../protocol/netaddress.ts';

export class NodeAddressIndex {
  /** NetAddr.addrKey → connections with that IP. */
  private readonly byAddr = new Map<string, number>();
  /** Service.key → connections with that IP and port. */
  private readonly byService = new Map<string, number>();

  add(addr: Service): void {
    bump(this.byAddr, addr.addrKey, 1);
    bump(this.byService, addr.key, 1);
  }

  remove(addr: Service): void {
    bump(this.byAddr, addr.addrKey, -1);
    bump(this.byService, addr.key, -1);
  }

  /** Whether some connection's IP equals `addr`'s (port ignored). */
  hasAddr(addr: NetAddr): boolean {
    return this.byAddr.has(addr.addrKey);
  }

  /** Whether some connection's IP and port equal `addr`'s. */
  hasService(addr: Service): boolean {
    return this.byService.has(addr.key);
  }
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n < 0) throw new Error('NodeAddressIndex: removed an address that was not added');
  if (n === 0) m.delete(k);
  else m.set(k, n);
}
