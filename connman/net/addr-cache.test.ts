import { describe, expect, it } from 'vitest';
import { ADDR_CACHE_LIFETIME_BASE, ADDR_CACHE_LIFETIME_SPREAD, AddrResponseCache } from './addr-cache.ts';
import { serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';

const H = 3600 * 1_000_000;

function source(): { calls: number; fn: () => Address[] } {
  const s = {
    calls: 0,
    fn: (): Address[] => {
      s.calls++;
      return [new Address(serviceOrThrow(`10.0.${s.calls}.1:8333`, 8333), NODE_NETWORK, 1_700_000_000)];
    },
  };
  return s;
}

describe('AddrResponseCache (CConnman::GetAddresses)', () => {
  it('answers identically within the lifetime and refreshes after it', () => {
    const src = source();
    const cache = new AddrResponseCache(src.fn, new FastRandomContext(new Uint8Array(32)));
    const req = { networkKey: 42n };
    const t0 = 1_700_000_000 * 1_000_000;
    const first = cache.getAddresses(req, 1000, 23, t0);
    const exp = cache.expirationOf(42n)!;
    expect(exp - t0).toBeGreaterThanOrEqual(ADDR_CACHE_LIFETIME_BASE);
    expect(exp - t0).toBeLessThan(ADDR_CACHE_LIFETIME_BASE + ADDR_CACHE_LIFETIME_SPREAD);
    expect(cache.getAddresses(req, 1000, 23, t0 + 20 * H)).toBe(first);
    expect(cache.getAddresses(req, 1000, 23, exp)).toBe(first); // still valid at the expiry instant
    expect(src.calls).toBe(1);
    const second = cache.getAddresses(req, 1000, 23, exp + 1);
    expect(second).not.toBe(first);
    expect(second[0]!.toStringAddrPort()).toBe('10.0.2.1:8333');
    expect(src.calls).toBe(2);
  });

  it('keeps one entry per network key', () => {
    const src = source();
    const cache = new AddrResponseCache(src.fn, new FastRandomContext(new Uint8Array(32)));
    const a = cache.getAddresses({ networkKey: 1n }, 1000, 23, 1);
    const b = cache.getAddresses({ networkKey: 2n }, 1000, 23, 1);
    expect(a).not.toBe(b);
    expect(cache.getAddresses({ networkKey: 1n }, 1000, 23, H)).toBe(a);
    expect(cache.size()).toBe(2);
  });

  it('the random part of the lifetime spreads over [0, 6 h)', () => {
    const cache = new AddrResponseCache(() => [], new FastRandomContext(new Uint8Array(32)));
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < 200; k++) {
      cache.getAddresses({ networkKey: BigInt(k) }, 1, 1, 1);
      const extra = cache.expirationOf(BigInt(k))! - 1 - ADDR_CACHE_LIFETIME_BASE;
      min = Math.min(min, extra);
      max = Math.max(max, extra);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(ADDR_CACHE_LIFETIME_SPREAD);
    expect(max - min).toBeGreaterThan(ADDR_CACHE_LIFETIME_SPREAD / 2);
  });
});
