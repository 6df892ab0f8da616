// data/connections.csv: the per-connection log of a run, streamed to disk while the simulation
// runs (the recorder hands over one row per connection as it ends, then the ones still open at the
// end), so memory holds only the open connections however long the run. The file is written inside
// the staged run directory and published with it; a failed or interrupted run discards it.

import { connectionLogHeader, connectionLogLine, type ConnectionLogRow } from '../reports/index.ts';
import { StreamedFile } from './streamed-file.ts';

export class ConnectionLogFile extends StreamedFile {
  /** Rows written so far. */
  rows = 0;

  constructor(path: string) {
    super(path, 'the connection log');
    this.append(connectionLogHeader());
  }

  /** The recorder's callback: one connection's row. */
  readonly sink = (row: ConnectionLogRow): void => {
    this.append(connectionLogLine(row));
    this.rows++;
  };
}
