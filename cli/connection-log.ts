// data/connections.csv: the per-connection log of a run, streamed to disk while the simulation
// runs (the recorder hands over one row per connection as it ends, then the ones still open at the
// end), so memory holds only the open connections however long the run. The file is written inside
// the staged run directory and published with it; a failed or interrupted run discards it.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { connectionLogHeader, connectionLogLine, type ConnectionLogRow } from '../reports/index.ts';
import { fsError } from './out-dir.ts';

/** Lines are collected up to this many characters, then written in one call. */
const FLUSH_CHARS = 1 << 20;

export class ConnectionLogFile {
  private readonly fd: number;
  private buf: string[] = [];
  private bufChars = 0;
  private closed = false;
  /** Rows written so far. */
  rows = 0;

  constructor(private readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw fsError('cannot write the connection log', path, e);
    }
    this.write(connectionLogHeader());
  }

  /** The recorder's callback: one connection's row. */
  readonly sink = (row: ConnectionLogRow): void => {
    const line = connectionLogLine(row);
    this.buf.push(line);
    this.bufChars += line.length;
    this.rows++;
    if (this.bufChars >= FLUSH_CHARS) this.flush();
  };

  private write(text: string): void {
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw fsError('cannot write the connection log', this.path, e);
    }
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join('');
    this.buf = [];
    this.bufChars = 0;
    this.write(text);
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
