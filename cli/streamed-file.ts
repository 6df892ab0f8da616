// A text file a run streams into its staged run directory while the simulation runs (the
// per-connection log, a node's debug log): text is collected and written in large chunks, so
// memory holds little however long the run; `close` writes the rest, `abort` drops it (the staged
// directory holding it is discarded). Write errors are CliErrors naming the file and what it is.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { fsError } from './out-dir.ts';

/** Text is collected up to this many characters, then written in one call. */
const FLUSH_CHARS = 1 << 20;

export class StreamedFile {
  private readonly fd: number;
  private buf: string[] = [];
  private bufChars = 0;
  private closed = false;

  constructor(
    readonly path: string,
    /** What the file is, for errors ("the connection log"). */
    private readonly what: string,
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw fsError(`cannot write ${what}`, path, e);
    }
  }

  /** Appends text (buffered). */
  append(text: string): void {
    this.buf.push(text);
    this.bufChars += text.length;
    if (this.bufChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join('');
    this.buf = [];
    this.bufChars = 0;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw fsError(`cannot write ${this.what}`, this.path, e);
    }
  }

  /** Writes what is buffered and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  /** Closes without writing more (the staged directory holding it is discarded). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
  }
}
