// An in-memory FileStore for one simulated node: named byte blobs (peers.dat, anchors.dat) that
// outlive a restart of that node's Connman because the world keeps the store, not the Connman.
// A written array is kept as handed over (FileStore.write: the writer never alters it; every
// node rewrites peers.dat each 15 minutes, so a copy per write was measurable); reads hand out
// copies so that no reader can alter stored bytes. No disk I/O.

/** A file written with writeDeferred: its size now, its bytes when first read. */
interface DeferredFile {
  readonly size: number;
  readonly materialize: () => Uint8Array;
}

export class MemoryFileStore {
  private readonly files = new Map<string, Uint8Array | DeferredFile>();
  /** Number of writes so far (for tests and counters). */
  writes = 0;

  read(name: string): Uint8Array | undefined {
    let b = this.files.get(name);
    if (b === undefined) return undefined;
    if (!(b instanceof Uint8Array)) {
      const bytes = b.materialize();
      if (bytes.length !== b.size) throw new Error(`MemoryFileStore: ${name} materialized ${bytes.length} bytes, announced ${b.size}`);
      this.files.set(name, bytes);
      b = bytes;
    }
    return b.slice();
  }

  write(name: string, bytes: Uint8Array): void {
    this.files.set(name, bytes);
    this.writes++;
  }

  /**
   * Keeps `materialize` instead of bytes until the file is read. Nodes rewrite peers.dat every 15
   * minutes and almost never read it back (only when they restart), so its checksum is left
   * until then (hashing every dump was about 4% of a 1,000-node day).
   */
  writeDeferred(name: string, size: number, materialize: () => Uint8Array): void {
    this.files.set(name, { size, materialize });
    this.writes++;
  }

  /** A file's size in bytes, without materializing it. */
  size(name: string): number | undefined {
    const b = this.files.get(name);
    return b === undefined ? undefined : b instanceof Uint8Array ? b.length : b.size;
  }

  delete(name: string): boolean {
    return this.files.delete(name);
  }

  exists(name: string): boolean {
    return this.files.has(name);
  }

  /** Stored names in sorted order. */
  names(): string[] {
    return [...this.files.keys()].sort();
  }
}
