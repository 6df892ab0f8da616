// Tests for address-pool.ts: interning, and the netgroup cache shared by managers that group alike.
import { describe, expect, it } from 'vitest';
import { AddressPool } from './address-pool.ts';
import { AsmapLookup, encodeAsmap } from '../netgroup/asmap.ts';
import { serviceOrThrow, type Service } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';

const svc = (s: string): Service => serviceOrThrow(s, 8333);

describe('AddressPool', () => {
  it('interns a service once', () => {
    const pool = new AddressPool();
    const a = pool.intern(svc('1.2.3.4:8333'));
    expect(pool.intern(svc('1.2.3.4:8333'))).toBe(a);
    expect(pool.intern(svc('1.2.3.4:8334'))).not.toBe(a);
    expect(pool.find(svc('9.9.9.9:1'))).toBe(-1);
  });

  it('gives IPv4 (numeric keys) and other networks (string keys) distinct, stable ids', () => {
    const pool = new AddressPool();
    const texts = ['1.2.3.4:8333', '1.2.3.4:0', '255.255.255.255:65535', '0.0.0.1:1', '[::1.2.3.4]:8333', '[2001:db8::1]:8333', '[::ffff:1.2.3.5]:8333'];
    const ids = texts.map((t) => pool.intern(svc(t)));
    expect(new Set(ids).size).toBe(texts.length);
    texts.forEach((t, i) => {
      expect(pool.intern(svc(t))).toBe(ids[i]);
      expect(pool.find(svc(t))).toBe(ids[i]);
      expect(pool.service(ids[i]!).equals(svc(t))).toBe(true);
    });
    // A source is the service with port 0, whichever way it comes in.
    expect(pool.internNetAddr(svc('1.2.3.4:8333'))).toBe(ids[1]);
    expect(pool.internNetAddr(svc('[2001:db8::1]:8333'))).toBe(pool.intern(svc('[2001:db8::1]:0')));
    expect(pool.size).toBe(texts.length + 1);
  });

  it('prefix-grouping managers share one group cache and give GetGroup bytes', () => {
    const pool = new AddressPool();
    const m1 = NetGroupManager.noAsmap();
    const m2 = NetGroupManager.noAsmap();
    expect(m1.groupCacheKey()).toBe(m2.groupCacheKey());
    const ids = ['1.2.3.4:8333', '1.2.200.1:8333', '[2001:db8::1]:8333', '10.0.0.1:8333'].map((s) => pool.intern(svc(s)));
    for (const id of ids) {
      const g1 = pool.group(id, m1);
      expect(Array.from(g1)).toEqual(Array.from(m1.getGroup(pool.service(id))));
      // The second manager reads the first one's cached array: the same object.
      expect(pool.group(id, m2)).toBe(g1);
    }
  });

  it('managers sharing one AsmapLookup share a cache; prefix grouping keeps its own', () => {
    const pool = new AddressPool();
    const lookup = new AsmapLookup(encodeAsmap([{ prefix: '11.0.0.0/8', asn: 64500 }]));
    const a1 = NetGroupManager.withAsmap(lookup);
    const a2 = NetGroupManager.withAsmap(lookup);
    const plain = NetGroupManager.noAsmap();
    expect(a1.groupCacheKey()).toBe(lookup);
    expect(a2.groupCacheKey()).toBe(lookup);
    const id = pool.intern(svc('11.1.2.3:8333'));
    const g = pool.group(id, a1);
    expect(Array.from(g)).toEqual([2, 64500 & 0xff, 64500 >> 8, 0, 0]);
    expect(pool.group(id, a2)).toBe(g);
    // Prefix grouping of the same address is a different cache entry with different bytes.
    expect(Array.from(pool.group(id, plain))).toEqual([1, 11, 1]);
  });
});
