// NodeAddressIndex must answer exactly as Core's scans over m_nodes (CNetAddr equality for
// AlreadyConnectedToAddress, CService equality for AlreadyConnectedToAddressPort).
import { describe, expect, it } from 'vitest';
import { NodeAddressIndex } from './node-address-index.ts';
import { serviceOrThrow, type Service } from '../protocol/netaddress.ts';
import { FastRandomContext } from '../util/random.ts';

describe('NodeAddressIndex', () => {
  it('equals the scans of a connection list under random adds and removes, across networks and ports', () => {
    const seed = new Uint8Array(32);
    seed[0] = 3;
    const rng = new FastRandomContext(seed);
    const pool: Service[] = [];
    for (const ip of ['10.0.0.1', '10.0.0.2', '8.8.8.8', '[2001:db8::1]', '[2001:db8::2]', '[fc00::5]']) {
      for (const port of [8333, 8334, 50000]) pool.push(serviceOrThrow(`${ip}:${port}`, port));
    }
    const index = new NodeAddressIndex();
    const list: Service[] = [];
    for (let step = 0; step < 3000; step++) {
      if (list.length > 0 && rng.randrange(3) === 0) {
        const [gone] = list.splice(rng.randrange(list.length), 1);
        index.remove(gone!);
      } else {
        // Copies of the pool entries, as connections hold their own Address objects.
        const s = pool[rng.randrange(pool.length)]!;
        const copy = serviceOrThrow(s.toStringAddrPort(), s.port);
        list.push(copy);
        index.add(copy);
      }
      for (const p of pool) {
        expect(index.hasAddr(p)).toBe(list.some((x) => x.equalsAddr(p)));
        expect(index.hasService(p)).toBe(list.some((x) => x.equals(p)));
      }
    }
  });

  it('refuses to remove an address it does not hold', () => {
    const index = new NodeAddressIndex();
    expect(() => index.remove(serviceOrThrow('1.2.3.4:8333', 8333))).toThrow(/not added/);
  });
});
