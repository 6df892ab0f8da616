// data/connections.csv as ConnectionLogFile writes it: the documented header, one CRLF line per
// row (closed or still open), buffered lines all on disk after close, a file it cannot create
// refused with the path. The rows' content is the recorder's (metrics-recorder.test.ts); a real
// run publishing the file is cli.test.ts's, and `connsim report` keeping it run-dir.test.ts's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { ConnectionLogRow } from '../reports/index.ts';
import { ConnectionLogFile } from './connection-log.ts';

const root = mkdtempSync(join(tmpdir(), 'connsim-connection-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const evicted: ConnectionLogRow = {
  openMicros: 1_000_000,
  closeMicros: 61_500_000,
  node: 4,
  peer: '10.1.2.3:50123',
  peerNode: null,
  connType: 'inbound',
  network: 'ipv4',
  netgroupHex: '010a01',
  asn: 64512,
  attacker: true,
  handshake: false,
  closeReason: 'eviction',
  evictionRule: 'inbound-slots-full',
};
const open: ConnectionLogRow = {
  openMicros: 2_000_000,
  closeMicros: null,
  node: 0,
  peer: '[2001:db8::1]:8333',
  peerNode: 7,
  connType: 'outbound-full-relay',
  network: 'ipv6',
  netgroupHex: '0220010db8',
  asn: null,
  attacker: false,
  handshake: true,
  closeReason: null,
  evictionRule: null,
};

describe('ConnectionLogFile', () => {
  it('writes the documented header and one line per row: a closed row with its reason and rule, an open one with empty close fields', () => {
    const path = join(root, 'run', 'data', 'connections.csv');
    const f = new ConnectionLogFile(path);
    f.sink(evicted);
    f.sink(open);
    expect(f.rows).toBe(2);
    f.close();
    f.close(); // a second close is harmless
    expect(readFileSync(path, 'utf8').split('\r\n')).toEqual([
      'openMicros,closeMicros,node,peer,peerNode,connType,network,netgroup,asn,attacker,handshake,closeReason,evictionRule',
      '1000000,61500000,4,10.1.2.3:50123,,inbound,ipv4,010a01,64512,true,false,eviction,inbound-slots-full',
      '2000000,,0,[2001:db8::1]:8333,7,outbound-full-relay,ipv6,0220010db8,,false,true,,',
      '',
    ]);
  });

  it('flushes in large writes yet loses no line; a path below a file is refused naming it', () => {
    const path = join(root, 'many.csv');
    const f = new ConnectionLogFile(path);
    const n = 20_000; // about 2 MB: more than one flush
    for (let i = 0; i < n; i++) f.sink({ ...evicted, openMicros: i, closeMicros: i + 1 });
    f.close();
    const lines = readFileSync(path, 'utf8').split('\r\n');
    expect(lines.length).toBe(n + 2);
    expect(lines[n]!.startsWith(`${n - 1},${n},`)).toBe(true);
    writeFileSync(join(root, 'a-file'), 'x');
    expect(() => new ConnectionLogFile(join(root, 'a-file', 'connections.csv'))).toThrow(/cannot write the connection log.*a-file/);
  });
});
