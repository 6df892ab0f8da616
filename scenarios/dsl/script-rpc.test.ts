// `s.rpc(node)` in a scenario script: the node's network RPCs as the testing API offers them
// (connman/rpc/net.ts NodeRpc), with Core's JSON results and Core's error codes and messages, which a
// script can catch; a handle that outlives a restart; a call on a node that is down refused with a
// ScenarioError; and the same run twice gives the same answers.
import { describe, expect, it } from 'vitest';

import { NodeRpc, type NetTotals, type NetworkInfo, type PeerInfo } from '../../connman/rpc/net.ts';
import { RPCError } from '../../connman/rpc/protocol.ts';
import { DEFAULT_EPOCH_MICROS } from '../host/sim-clock.ts';
import { runScenario } from './runner.ts';
import { ScenarioError, defineScenario } from './scenario.ts';

const tiny = {
  summary: 'script rpc test',
  threatModel: 'None.',
  defaults: { nodes: 6, duration: '30m', sampleInterval: '10m' },
} as const;

interface Seen {
  connectioncount: number;
  peerInfoLength: number;
  peerIds: number[];
  connTypes: string[];
  networkinfo: NetworkInfo;
  nettotals: NetTotals;
  errors: { code: number; message: string }[];
  banned: unknown;
  afterRestart: number;
  downError: string;
}

/** Runs a scenario whose script calls RPCs on node 0 and records what they return. */
function run(seed: string): { seen: Seen; digest: string; passed: boolean } {
  const seen: Partial<Seen> & { errors: { code: number; message: string }[] } = { errors: [] };
  const def = defineScenario({
    ...tiny,
    name: 'script-rpc',
    params: {},
    *script(s) {
      yield s.at('20m');
      const rpc = s.rpc(0);
      expect(rpc).toBeInstanceOf(NodeRpc);
      seen.connectioncount = rpc.getconnectioncount();
      const peers: PeerInfo[] = rpc.getpeerinfo();
      seen.peerInfoLength = peers.length;
      seen.peerIds = peers.map((p) => p.id);
      seen.connTypes = peers.map((p) => p.connection_type);
      // getpeerinfo is what the script's peerInfo reads, in Core's JSON.
      expect(peers.map((p) => p.addr)).toEqual(s.peerInfo(0).map((n) => n.addr));
      seen.networkinfo = rpc.getnetworkinfo();
      seen.nettotals = rpc.getnettotals();
      const attempts: (() => unknown)[] = [
        () => rpc.setban('not-an-ip', 'add'),
        () => rpc.getnodeaddresses(-1),
        () => rpc.getnodeaddresses(1, 'Foo'),
        () => rpc.call('getblockchaininfo'),
        () => rpc.call('setban', ['10.0.0.0/8', 'add', 'soon']),
        () => rpc.disconnectnode({ address: '203.0.113.9:8333' }),
      ];
      for (const f of attempts) {
        try {
          f();
          seen.errors.push({ code: 0, message: 'no error' });
        } catch (e) {
          if (!(e instanceof RPCError)) throw e;
          seen.errors.push({ code: e.code, message: e.message });
        }
      }
      rpc.setban('10.0.0.0/8', 'add', 3600);
      seen.banned = rpc.listbanned();
      s.restart(0, '1m');
      try {
        rpc.getconnectioncount();
      } catch (e) {
        seen.downError = e instanceof ScenarioError ? e.message : `not a ScenarioError: ${String(e)}`;
      }
      yield s.wait('5m');
      // The handle finds the restarted node: its ban list came back from banlist.json.
      seen.afterRestart = (rpc.listbanned() as unknown[]).length;
      s.check('rpc answered', { passed: true, detail: `${seen.connectioncount} connections` });
    },
  });
  const out = runScenario({ scenario: def, seed });
  return { seen: seen as Seen, digest: out.summary.digest, passed: out.summary.passed };
}

describe('s.rpc in a scenario script', () => {
  const a = run('3');

  it('returns the node RPCs with Core JSON results', () => {
    expect(a.passed).toBe(true);
    const { seen } = a;
    expect(seen.connectioncount).toBe(seen.peerInfoLength);
    expect(seen.connectioncount).toBeGreaterThan(0);
    expect(seen.connTypes.every((t) => ['inbound', 'outbound-full-relay', 'block-relay-only', 'feeler', 'addr-fetch', 'manual'].includes(t))).toBe(true);
    expect(Object.keys(seen.networkinfo)).toEqual(['version', 'subversion', 'protocolversion', 'localservices', 'localservicesnames', 'localrelay', 'timeoffset', 'tx_send_rate', 'inv_buckets', 'networkactive', 'connections', 'connections_in', 'connections_out', 'networks', 'relayfee', 'incrementalfee', 'localaddresses', 'warnings']);
    expect(seen.networkinfo.connections).toBe(seen.connectioncount);
    expect(seen.networkinfo.connections_in + seen.networkinfo.connections_out).toBe(seen.connectioncount);
    expect(Object.keys(seen.nettotals)).toEqual(['totalbytesrecv', 'totalbytessent', 'timemillis', 'uploadtarget']);
    // The nodes' clock at 20m into the run (the default epoch), in ms.
    expect(seen.nettotals.timemillis).toBe(DEFAULT_EPOCH_MICROS / 1000 + 20 * 60_000);
    expect(seen.nettotals.uploadtarget).toEqual({ timeframe: 86400, target: 0, target_reached: false, serve_historical_blocks: true, bytes_left_in_cycle: 0, time_left_in_cycle: 0 });
    expect(seen.banned).toEqual([expect.objectContaining({ address: '10.0.0.0/8', ban_duration: 3600, time_remaining: 3600 })]);
  });

  it("throws Core's error codes and messages, which a script can catch", () => {
    expect(a.seen.errors).toEqual([
      { code: -30, message: 'Error: Invalid IP/Subnet' },
      { code: -8, message: 'Address count out of range' },
      { code: -8, message: 'Network not recognized: Foo' },
      { code: -32601, message: 'Method not found' },
      { code: -3, message: 'Wrong type passed:\n{\n    "Position 3 (bantime)": "JSON value of type string is not of expected type number"\n}' },
      { code: -29, message: 'Node not found in connected nodes' },
    ]);
  });

  it('outlives a restart, and refuses a call while the node is down', () => {
    expect(a.seen.downError).toBe('script-rpc: rpc: node 0 is not running at 20m');
    expect(a.seen.afterRestart).toBe(1);
  });

  it('is deterministic: the same seed gives the same answers and digest', () => {
    const b = run('3');
    expect(JSON.stringify(b.seen)).toBe(JSON.stringify(a.seen));
    expect(b.digest).toBe(a.digest);
  });

  it('reads change nothing: a run that calls only reading RPCs has the digest of one that calls none; getnodeaddresses draws from AddrMan as in Core', () => {
    const reads = (read: boolean | 'addrman-draw') =>
      defineScenario({
        ...tiny,
        name: 'script-rpc-reads',
        params: {},
        *script(s) {
          for (const at of ['7m', '13m', '21m']) {
            yield s.at(at);
            if (!read) continue;
            for (const i of s.honestNodes()) {
              const rpc = s.rpc(i);
              rpc.getpeerinfo();
              rpc.getnetworkinfo();
              rpc.getnettotals();
              rpc.getaddrmaninfo();
              rpc.listbanned();
              if (read === 'addrman-draw') rpc.getnodeaddresses(0);
            }
          }
        },
      });
    const withReads = runScenario({ scenario: reads(true), seed: '4' }).summary;
    const without = runScenario({ scenario: reads(false), seed: '4' }).summary;
    expect(withReads.digest).toBe(without.digest);
    expect(withReads.metrics).toEqual(without.metrics);
    // Core's GetAddr (AddrManImpl::GetAddr_) shuffles with AddrMan's own random stream, so a
    // getnodeaddresses moves every later AddrMan draw: the run goes on differently.
    expect(runScenario({ scenario: reads('addrman-draw'), seed: '4' }).summary.digest).not.toBe(without.digest);
  });
});
