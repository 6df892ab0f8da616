// A FileStore (ports.ts) in a Map: a node's data directory kept in memory, each read a copy. The
// unit-test fakes and the functional-test harness keep datadirs in it. It keeps no closures: a
// deferred write is materialised at once.

import type { FileStore } from '../ports.ts';

export class MemoryFiles implements FileStore {
  readonly files = new Map<string, Uint8Array>();
  read(name: string): Uint8Array | undefined {
    const b = this.files.get(name);
    return b === undefined ? undefined : b.slice();
  }
  write(name: string, bytes: Uint8Array): void {
    this.files.set(name, bytes.slice());
  }
  writeDeferred(name: string, _size: number, materialize: () => Uint8Array): void {
    this.files.set(name, materialize().slice());
  }
  delete(name: string): boolean {
    return this.files.delete(name);
  }
}
