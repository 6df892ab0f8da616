// An in-memory FileStore for one simulated node: named byte blobs (peers.dat, anchors.dat) that
// outlive a restart of that node's Connman because the world keeps the store, not the Connman.
// A written array is kept as handed over (FileStore.write: the writer never alters it; every
// node rewrites peers.dat each 15 minutes, so a copy per write was measurable); reads hand out
// copies so that no reader can alter stored bytes. No disk I/O.

export class MemoryFileStore {
  private readonly files = new Map<string, Uint8Array>();
  /** Number of writes so far (for tests and counters). */
  writes = 0;

  read(name: string): Uint8Array | undefined {
    const b = this.files.get(name);
    return b === undefined ? undefined : b.slice();
  }

  write(name: string, bytes: Uint8Array): void {
    this.files.set(name, bytes);
    this.writes++;
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
