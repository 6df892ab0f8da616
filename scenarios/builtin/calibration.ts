// calibration: the honest network of the mainnet world preset, measured against what has been
// published about the real one. No attacker. Its checks are the observables a simulated world can
// be held to; the others are recorded as metrics, and SCENARIOS.md ("Calibration") sets each
// beside its published value and says why it differs where it does.

import { defineScenario } from '../dsl/scenario.ts';

/** Honest addresses processed per second on one connection (Core PR #22387's measurement: 0.005-0.025). */
export const PUBLISHED_ADDR_RATE_PER_PEER = { low: 0.005, high: 0.025 } as const;

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default defineScenario({
  name: 'calibration',
  summary: 'The mainnet world measured against published observables of the real network; no attacker',
  threatModel:
    'None. A world that claims to look like mainnet must show mainnet\'s address traffic, connection counts and block and transaction delivery; this run measures them in the mainnet preset (or whatever --set gives) and checks those a simulated world can be held to.',
  defaults: { nodes: 300, duration: '4h', sampleInterval: '30m' },
  world: { preset: 'mainnet' },
  params: {
    settle: { type: 'duration', default: '1h', description: 'Connections younger than this are left out of the per-connection address rate (their GETADDR answers and first self-announcements dominate)' },
    checkAddrRate: { type: 'boolean', default: true, description: 'Hold the per-connection address rate to the published band (a world far smaller than the default has other connection counts: turn it off there)' },
  },
  metrics: {
    addrRatePerPeer: { kind: 'rate', description: 'median addresses processed per second on an inbound address-relay connection older than `settle`, over honest nodes at the end' },
    addrRatePerPeerP10: { kind: 'rate', description: '10th percentile of the same' },
    addrRatePerPeerP90: { kind: 'rate', description: '90th percentile of the same' },
    medianFullOutbound: { kind: 'count', description: 'median full-relay outbound peers over running nodes at the end' },
    medianInboundReachable: { kind: 'count', description: 'median inbound peers of a listening node at the end' },
    reachableInboundNearlyFull: { kind: 'share', description: 'share of listening nodes with at least 90 % of their inbound slots taken at the end' },
    medianAddrmanNew: { kind: 'count', description: 'median AddrMan new-table entries over running nodes at the end' },
    medianAddrmanTried: { kind: 'count', description: 'median AddrMan tried-table entries over running nodes at the end' },
    medianOutboundAgeHours: { kind: 'duration', description: 'median age (h) of full-relay outbound connections at the end' },
    peersWithLastBlock: { kind: 'share', description: 'share of full-relay peers (both directions) that have delivered a block (getpeerinfo last_block > 0)' },
    peersWithLastTx: { kind: 'share', description: 'share of full-relay peers that have delivered a novel transaction (last_transaction > 0)' },
    distinctMinPingShare: { kind: 'share', description: 'distinct min-ping values among a node\'s peers, over its peers, median over nodes (1: no ties)' },
  },
  timeline: (p) => [{ what: 'the per-connection address rate needs connections older than settle', atMicros: p.settle }],
  *script(s, p) {
    yield s.at(s.durationMicros);
    const rates: number[] = [];
    const full: number[] = [];
    const inboundReachable: number[] = [];
    let nearlyFull = 0;
    let listeners = 0;
    const newSizes: number[] = [];
    const triedSizes: number[] = [];
    const ages: number[] = [];
    let fullRelayPeers = 0;
    let withBlock = 0;
    let withTx = 0;
    const pingShares: number[] = [];
    const settleS = p.settle / 1_000_000;
    const maxInbound = s.profileSettings.maxConnections - s.profileSettings.maxOutboundFullRelay - 2 - 1;
    for (const i of s.honestNodes()) {
      if (!s.isRunning(i)) continue;
      const info = s.peerInfo(i).filter((n) => n.successfullyConnected);
      full.push(s.fullOutboundCount(i));
      const sizes = s.addrmanSizes(i);
      newSizes.push(sizes.new);
      triedSizes.push(sizes.tried);
      const inbound = info.filter((n) => n.inbound);
      if (s.isListening(i)) {
        listeners++;
        inboundReachable.push(inbound.length);
        if (inbound.length >= 0.9 * maxInbound) nearlyFull++;
      }
      for (const n of inbound) if (n.addrRelayEnabled && n.conntimeSeconds > 0 && s.clockSeconds() - n.conntimeSeconds >= settleS) rates.push(n.addrProcessed / (s.clockSeconds() - n.conntimeSeconds));
      const pings = new Set<number>();
      let pinged = 0;
      for (const n of info) {
        if (n.connType === 'outbound-full-relay') ages.push((s.clockSeconds() - n.conntimeSeconds) / 3600);
        if (n.connType === 'outbound-full-relay' || (n.inbound && n.relayTxs)) {
          fullRelayPeers++;
          if (n.lastBlockSeconds > 0) withBlock++;
          if (n.lastTxSeconds > 0) withTx++;
        }
        if (n.minPingMicros > 0 && Number.isFinite(n.minPingMicros)) {
          pinged++;
          pings.add(n.minPingMicros);
        }
      }
      if (pinged > 1) pingShares.push(pings.size / pinged);
    }
    rates.sort((a, b) => a - b);
    const q = (f: number): number => (rates.length === 0 ? 0 : rates[Math.min(rates.length - 1, Math.floor(f * rates.length))]!);
    const rate = q(0.5);
    s.metric('addrRatePerPeer', rate);
    s.metric('addrRatePerPeerP10', q(0.1));
    s.metric('addrRatePerPeerP90', q(0.9));
    s.metric('medianFullOutbound', median(full));
    s.metric('medianInboundReachable', median(inboundReachable));
    s.metric('reachableInboundNearlyFull', listeners === 0 ? 0 : nearlyFull / listeners);
    s.metric('medianAddrmanNew', median(newSizes));
    s.metric('medianAddrmanTried', median(triedSizes));
    s.metric('medianOutboundAgeHours', median(ages));
    s.metric('peersWithLastBlock', fullRelayPeers === 0 ? 0 : withBlock / fullRelayPeers);
    s.metric('peersWithLastTx', fullRelayPeers === 0 ? 0 : withTx / fullRelayPeers);
    s.metric('distinctMinPingShare', median(pingShares));
    const { low, high } = PUBLISHED_ADDR_RATE_PER_PEER;
    s.check('honest address rate per connection as measured on mainnet', {
      passed: !p.checkAddrRate || (rate >= low && rate <= high),
      detail: `median ${rate.toFixed(4)} addr/s over ${rates.length} inbound address-relay connections older than ${settleS / 60} min (Core PR #22387: ${low}-${high})${p.checkAddrRate ? '' : '; not held to it (checkAddrRate=false)'}`,
    });
    s.check('outbound slots fill', { passed: median(full) >= 7, detail: `median full-relay outbound peers ${median(full)} (expected >= 7)` });
    s.check('blocks and transactions reach peers', {
      passed: withBlock > 0 && withTx > 0,
      detail: `${withBlock} of ${fullRelayPeers} full-relay peers have a last_block, ${withTx} a last_transaction`,
    });
    s.check('links differ: min-pings do not tie', { passed: median(pingShares) >= 0.9, detail: `median share of distinct min-ping values among a node's peers ${median(pingShares).toFixed(3)} (expected >= 0.9)` });
  },
});
