// A plain binary min-heap over typed arrays, ordered by (time, seq), used only as the yardstick
// for the kernel benchmark (bench/kernel.ts). It shares no code with sim/: entries live directly in
// the heap arrays (no slot indirection, no cancellation, no handler dispatch), which is about the
// fastest a JavaScript event queue can be.

export class ReferenceHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  size = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.payloads = new Int32Array(capacity);
  }

  push(time: number, seq: number, payload: number): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = times[p]!;
      if (tp < time || (tp === time && seqs[p]! < seq)) break;
      times[i] = tp;
      seqs[i] = seqs[p]!;
      payloads[i] = payloads[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    payloads[i] = payload;
  }

  topTime(): number {
    return this.times[0]!;
  }

  /** Removes the minimum; returns its payload (its time is `topTime()` before the call). */
  pop(): number {
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const top = payloads[0]!;
    const n = --this.size;
    if (n === 0) return top;
    const t = times[n]!;
    const s = seqs[n]!;
    const pl = payloads[n]!;
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let tc = times[c]!;
      let sc = seqs[c]!;
      const r = c + 1;
      if (r < n) {
        const tr = times[r]!;
        const sr = seqs[r]!;
        if (tr < tc || (tr === tc && sr < sc)) {
          c = r;
          tc = tr;
          sc = sr;
        }
      }
      if (t < tc || (t === tc && s < sc)) break;
      times[i] = tc;
      seqs[i] = sc;
      payloads[i] = payloads[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    payloads[i] = pl;
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    const p = new Int32Array(cap);
    p.set(this.payloads);
    this.payloads = p;
  }
}
