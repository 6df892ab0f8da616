// A compact hash map from non-negative int32 keys to int32 values, in one Int32Array with linear
// probing and backward-shift deletion: AddrMan's mapAddr (pool id → nid) for thousands of nodes,
// at about 16 bytes per entry instead of a JS Map's ~50. It holds no ordering: never iterate it
// for anything that must be deterministic (it is only looked up).

const EMPTY = -1;

export class IntMap {
  /** Interleaved [key, value] slots; key -1 = empty. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2).fill(EMPTY);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  private static hash(k: number): number {
    // Fibonacci hashing spreads sequential ids over the table.
    return Math.imul(k, 0x9e3779b1) >>> 0;
  }

  get(key: number): number | undefined {
    const s = this.slots;
    let i = IntMap.hash(key) & this.mask;
    for (;;) {
      const k = s[i * 2]!;
      if (k === key) return s[i * 2 + 1];
      if (k === EMPTY) return undefined;
      i = (i + 1) & this.mask;
    }
  }

  set(key: number, value: number): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2);
    const s = this.slots;
    let i = IntMap.hash(key) & this.mask;
    for (;;) {
      const k = s[i * 2]!;
      if (k === key) {
        s[i * 2 + 1] = value;
        return;
      }
      if (k === EMPTY) {
        s[i * 2] = key;
        s[i * 2 + 1] = value;
        this.count++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(key: number): boolean {
    const s = this.slots;
    const mask = this.mask;
    let i = IntMap.hash(key) & mask;
    for (;;) {
      const k = s[i * 2]!;
      if (k === EMPTY) return false;
      if (k === key) break;
      i = (i + 1) & mask;
    }
    // Backward-shift: pull later members of the probe run into the hole.
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const k = s[j * 2]!;
      if (k === EMPTY) break;
      const home = IntMap.hash(k) & mask;
      // Move k if its home is not cyclically within (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        s[hole * 2] = k;
        s[hole * 2 + 1] = s[j * 2 + 1]!;
        hole = j;
      }
      j = (j + 1) & mask;
    }
    s[hole * 2] = EMPTY;
    s[hole * 2 + 1] = EMPTY;
    this.count--;
    return true;
  }

  private resize(cap: number): void {
    const old = this.slots;
    this.slots = new Int32Array(cap * 2).fill(EMPTY);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.set(old[i]!, old[i + 1]!);
  }
}
