// Tests for addrman-serialize.ts's entry writer: the per-address byte caches of the pool must give
// exactly the bytes of Core's AddrInfo serialization written field by field (writeAddress in the
// V2 disk form, then the source in BIP155 form, m_last_success and nAttempts). Core's own
// serialization vectors live in addrman.test.ts and addrdb.test.ts.
import { describe, expect, it } from 'vitest';
import { ADDRMAN_BUCKET_SIZE, ADDRMAN_NEW_BUCKET_COUNT } from './addrman-buckets.ts';
import { addrManFromBytes, addrManToBytes, FILE_FORMAT, INCOMPATIBILITY_BASE } from './addrman-serialize.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from './addrman.ts';
import { NetAddr, netAddrOrThrow, serviceOrThrow, writeNetAddrV2 } from './netaddress.ts';
import { NetGroupManager } from './netgroup.ts';
import { Address, NODE_NETWORK, NODE_WITNESS, V2_DISK, writeAddress } from './protocol.ts';
import { FastRandomContext } from './random.ts';
import { ByteWriter } from './serialize.ts';

const NOW = 1_700_000_000;

/** The serializer as it was written before the caches: one CAddress object per entry. */
function referenceBytes(am: AddrMan): Uint8Array {
  const w = new ByteWriter(1 << 16);
  w.u8(FILE_FORMAT).u8(INCOMPATIBILITY_BASE + 4).bytes(am.key);
  w.i32le(am.nNew).i32le(am.nTried).i32le(ADDRMAN_NEW_BUCKET_COUNT ^ (1 << 30));
  const index = new Int32Array(am.highWater).fill(-1);
  const entry = (nid: number): void => {
    const a = am.addressOf(nid);
    const t = am.time[nid]!;
    const t32 = ((t % 4294967296) + 4294967296) % 4294967296;
    writeAddress(w, t32 === t ? a : a.withTime(t32), V2_DISK);
    writeNetAddrV2(w, am.pool.service(am.sourceId[nid]!));
    w.i64le(BigInt(am.lastSuccess[nid]!));
    w.i32le(am.attempts[nid]!);
  };
  let ids = 0;
  for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && am.refCount[nid] !== 0) {
    index[nid] = ids++;
    entry(nid);
  }
  for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && am.inTried[nid]) entry(nid);
  for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
    const slots: number[] = [];
    for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
      const nid = am.vvNew[b * ADDRMAN_BUCKET_SIZE + i]!;
      if (nid !== -1) slots.push(index[nid]!);
    }
    w.i32le(slots.length);
    for (const s of slots) w.i32le(s);
  }
  w.bytes(am.netgroupman.getAsmapVersion());
  return w.toBytes();
}

describe('addrman serialization with cached address bytes', () => {
  it('writes the same bytes as the field-by-field CAddress writer, for every network and source kind', () => {
    const ngm = NetGroupManager.noAsmap();
    const am = new AddrMan({ netgroupman: ngm, clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
    const services = NODE_NETWORK | NODE_WITNESS;
    const addrs = [
      '1.2.3.4:8333',
      '250.7.1.1:18444',
      '[2001:db8::7]:8333',
      '[2a01:4f8::1]:1',
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333',
      'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0',
      '[fc00:1:2:3:4:5:6:7]:8333',
    ];
    const sources: NetAddr[] = [netAddrOrThrow('9.9.9.9'), NetAddr.internal('seed.example.org'), netAddrOrThrow('2001:db8::1')];
    let k = 0;
    for (const text of addrs) {
      for (const src of sources) {
        const s = serviceOrThrow(text, 8333);
        // A recent, an old and a far-future time (near the top of the uint32 range).
        const time = [NOW - 3600, NOW - 86_400 * 3, 4294967291][k++ % 3]!;
        am.add([new Address(s, services + (k % 2) * 1024, time)], src, 0);
      }
    }
    am.good(new Address(serviceOrThrow(addrs[0]!, 8333), services, NOW), NOW);
    am.good(new Address(serviceOrThrow(addrs[2]!, 8333), services, NOW), NOW);
    am.attempt(serviceOrThrow(addrs[3]!, 8333), true, NOW - 10);
    expect(am.size()).toBeGreaterThan(4);
    const fast = addrManToBytes(am);
    expect(Buffer.from(fast).toString('hex')).toBe(Buffer.from(referenceBytes(am)).toString('hex'));
    // And a second dump (now from the caches) is unchanged and loads back.
    expect(Buffer.from(addrManToBytes(am)).toString('hex')).toBe(Buffer.from(fast).toString('hex'));
    const back = new AddrMan({ netgroupman: ngm, clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
    addrManFromBytes(back, fast);
    expect(back.size()).toBe(am.size());
  });
});
