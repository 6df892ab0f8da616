// The address interning table shared by every AddrMan in a process: each distinct service
// (network, address bytes, port) gets a small integer id once, and the per-address facts that never
// change are computed once and cached here (CService::GetKey bytes, GetNetwork, GetNetClass,
// IsValid, IsRoutable, and each NetGroupManager's group bytes). AddrMan tables then hold only ids.
// It holds no per-node state and never forgets an address (ids stay valid for the whole run); it
// does not decide anything about addresses itself — the classification comes from netaddress.ts.

import { NET_IPV4, Service, writeNetAddrV2, writeService, type NetAddr, type Network } from '../protocol/netaddress.ts';
import { ByteWriter } from '../util/serialize.ts';

/** What the pool needs from a netgroup manager (connman/netgroup/netgroup.ts NetGroupManager fits). */
export interface GroupSource {
  getGroup(addr: NetAddr): Uint8Array;
  /** Same object for every source that assigns the same groups (then they share one cache). */
  groupCacheKey?(): object;
}

const FLAG_VALID = 1;
const FLAG_ROUTABLE = 2;

/** A growable table of interned services. Create one per world (scenarios/world/world.ts does) and hand it to every AddrMan. */
export class AddressPool {
  /** Service.key (network, address bytes and port as a string) → id, for every network but IPv4. */
  private readonly ids = new Map<string, number>();
  /** IPv4 services (most of a world) by a number, address * 65536 + port, with no key string to build. */
  private readonly ids4 = new Map<number, number>();
  private readonly services: Service[] = [];
  private readonly keys: Uint8Array[] = [];
  private network = new Uint8Array(1024);
  private netClass = new Uint8Array(1024);
  private flags = new Uint8Array(1024);
  /** Serialized forms, filled on first use: CService in BIP155 form (address + port) and CNetAddr in BIP155 form. */
  private readonly serviceV2Cache: (Uint8Array | undefined)[] = [];
  private readonly netAddrV2Cache: (Uint8Array | undefined)[] = [];
  /** Group bytes per grouping (a manager's groupCacheKey, else the manager), indexed by id (filled lazily). */
  private readonly groups = new WeakMap<object, (Uint8Array | undefined)[]>();

  /** Number of interned services. */
  get size(): number {
    return this.services.length;
  }

  /** The id of a service, interning it if new. */
  intern(s: Service): number {
    if (s.net === NET_IPV4) {
      const k = ipv4Key(s.addr, s.port);
      const found = this.ids4.get(k);
      if (found !== undefined) return found;
      const id = this.add(s);
      this.ids4.set(k, id);
      return id;
    }
    const k = s.key;
    const found = this.ids.get(k);
    if (found !== undefined) return found;
    const id = this.add(s);
    this.ids.set(k, id);
    return id;
  }

  /** The id of a network address (a source), interned as the service with port 0. */
  internNetAddr(a: NetAddr): number {
    if (a.net === NET_IPV4) {
      const k = ipv4Key(a.addr, 0);
      const found = this.ids4.get(k);
      if (found !== undefined) return found;
      const id = this.add(Service.of(a, 0));
      this.ids4.set(k, id);
      return id;
    }
    // Same string as Service.key for port 0, built from the NetAddr's cached addrKey.
    const k = a instanceof Service ? (a.port === 0 ? a.key : a.addrKey + '\u0000') : a.addrKey + '\u0000';
    const found = this.ids.get(k);
    if (found !== undefined) return found;
    const id = this.add(Service.of(a, 0));
    this.ids.set(k, id);
    return id;
  }

  /** The id of a service if it was ever interned, else -1 (a lookup never grows the pool). */
  find(s: Service): number {
    if (s.net === NET_IPV4) return this.ids4.get(ipv4Key(s.addr, s.port)) ?? -1;
    return this.ids.get(s.key) ?? -1;
  }

  private add(s: Service): number {
    const id = this.services.length;
    if (id >= this.network.length) {
      const cap = this.network.length * 2;
      this.network = grow(this.network, cap);
      this.netClass = grow(this.netClass, cap);
      this.flags = grow(this.flags, cap);
    }
    // Keep a plain Service (not a caller's Address carrying time and services) as the canonical object.
    const canon = s.constructor === Service ? s : new Service(s.net, s.addr, s.port, s.scopeId);
    this.services.push(canon);
    this.keys.push(s.getKey());
    this.network[id] = s.getNetwork();
    this.netClass[id] = s.getNetClass();
    this.flags[id] = (s.isValid() ? FLAG_VALID : 0) | (s.isRoutable() ? FLAG_ROUTABLE : 0);
    return id;
  }

  /** The interned service object (shared: never mutate it). */
  service(id: number): Service {
    return this.services[id]!;
  }

  /** CService::GetKey(): address bytes (v1 form for IPv4/IPv6) followed by the big-endian port. */
  serviceKey(id: number): Uint8Array {
    return this.keys[id]!;
  }

  /** CNetAddr::GetNetwork() of the address. */
  getNetwork(id: number): Network {
    return this.network[id] as Network;
  }

  /** CNetAddr::GetNetClass() of the address. */
  getNetClass(id: number): Network {
    return this.netClass[id] as Network;
  }

  isValid(id: number): boolean {
    return (this.flags[id]! & FLAG_VALID) !== 0;
  }

  isRoutable(id: number): boolean {
    return (this.flags[id]! & FLAG_ROUTABLE) !== 0;
  }

  /** Whether two ids denote the same network address (CNetAddr equality: port ignored). */
  sameNetAddr(a: number, b: number): boolean {
    if (a === b) return true;
    return this.services[a]!.equalsAddr(this.services[b]!);
  }

  /** The service's BIP155 (addrv2) serialization with its port, as writeService(w, s, true) writes it. Shared: never mutate it. */
  serviceV2Bytes(id: number): Uint8Array {
    let b = this.serviceV2Cache[id];
    if (b === undefined) {
      const w = new ByteWriter(48);
      writeService(w, this.services[id]!, true);
      b = w.toBytes();
      while (this.serviceV2Cache.length < id) this.serviceV2Cache.push(undefined);
      this.serviceV2Cache[id] = b;
    }
    return b;
  }

  /** The address's BIP155 (addrv2) serialization without port, as writeNetAddrV2 writes it. Shared: never mutate it. */
  netAddrV2Bytes(id: number): Uint8Array {
    let b = this.netAddrV2Cache[id];
    if (b === undefined) {
      const w = new ByteWriter(48);
      writeNetAddrV2(w, this.services[id]!);
      b = w.toBytes();
      while (this.netAddrV2Cache.length < id) this.netAddrV2Cache.push(undefined);
      this.netAddrV2Cache[id] = b;
    }
    return b;
  }

  /** The netgroup of the address under `groups`, computed once per (id, grouping). Shared: never mutate it. */
  group(id: number, groups: GroupSource): Uint8Array {
    const identity = groups.groupCacheKey?.() ?? groups;
    let cache = this.groups.get(identity);
    if (cache === undefined) {
      cache = [];
      this.groups.set(identity, cache);
    }
    while (cache.length <= id) cache.push(undefined);
    let g = cache[id];
    if (g === undefined) {
      g = groups.getGroup(this.services[id]!);
      cache[id] = g;
    }
    return g;
  }
}

/** An IPv4 service as a number below 2^48: the address's 32 bits, then the port's 16. */
function ipv4Key(a: Uint8Array, port: number): number {
  return (((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0) * 65536 + port;
}

function grow(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}
