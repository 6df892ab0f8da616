// The bridge run's report (Markdown): the real node next to a simulated node in the same shape
// (getpeerinfo's peers, getaddrmaninfo), the node's peer counts over the run, what crossed the
// bridge and the real-time pacing. Pure: the caller writes it.

import type { LinkRecord } from './gateway.ts';
import type { BridgeRunResult, NodeView } from './session.ts';

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function peersTable(v: NodeView): string {
  const rows = [...v.peers]
    .sort((a, b) => a.id - b.id)
    .map((p) => [p.id, p.addr, p.network, p.connection_type, p.version, p.subver, p.pingtime === undefined ? '' : (p.pingtime * 1000).toFixed(0), p.addr_processed ?? '', p.bytessent, p.bytesrecv]);
  return table(['id', 'addr', 'network', 'connection_type', 'version', 'subver', 'ping ms', 'addr_processed', 'bytessent', 'bytesrecv'], rows);
}

function countTypes(v: NodeView): string {
  const c = new Map<string, number>();
  for (const p of v.peers) c.set(p.connection_type, (c.get(p.connection_type) ?? 0) + 1);
  return [...c.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function addrmanTable(real: NodeView, sim: NodeView): string {
  const nets = [...new Set([...Object.keys(real.addrman), ...Object.keys(sim.addrman)])].sort();
  const cell = (v: NodeView, n: string) => {
    const e = v.addrman[n];
    return e === undefined ? '' : `${e.new} / ${e.tried} / ${e.total}`;
  };
  return table(['network', `${real.label} (new / tried / total)`, `${sim.label}`], nets.map((n) => [n, cell(real, n), cell(sim, n)]));
}

/** Link totals: what crossed the bridge in each direction. */
export function linkTotals(links: readonly LinkRecord[]) {
  const out = { outboundAttempts: 0, outboundEstablished: 0, outboundFailed: 0, inboundAttempts: 0, inboundEstablished: 0, inboundClosedByNode: 0, inboundClosedByNodeAfterHandshake: 0, malformed: 0, getheadersAnswered: 0, ignored: {} as Record<string, number>, droppedFromSim: {} as Record<string, number> };
  for (const l of links) {
    if (l.direction === 'outbound') {
      out.outboundAttempts++;
      if (l.establishedAtMicros !== null) out.outboundEstablished++;
      if (l.closedBy === 'connect-failed') out.outboundFailed++;
    } else {
      out.inboundAttempts++;
      if (l.establishedAtMicros !== null) out.inboundEstablished++;
      if (l.closedBy === 'outside') {
        out.inboundClosedByNode++;
        if ((l.fromOutside.verack ?? 0) > 0) out.inboundClosedByNodeAfterHandshake++;
      }
    }
    if (l.closedBy === 'malformed') out.malformed++;
    out.getheadersAnswered += l.getheadersAnswered;
    for (const [k, n] of Object.entries(l.ignoredFromOutside)) out.ignored[k] = (out.ignored[k] ?? 0) + n;
    for (const [k, n] of Object.entries(l.droppedFromSim)) out.droppedFromSim[k] = (out.droppedFromSim[k] ?? 0) + n;
  }
  return out;
}

const kv = (r: Record<string, number>): string =>
  Object.entries(r)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

export function bridgeReport(r: BridgeRunResult): string {
  const t = linkTotals(r.links);
  const p = r.pacer;
  const o = r.options;
  return [
    `# connsim bridge: ${r.subversion} in a simulated world`,
    '',
    `World: ${o.nodes} honest nodes, seed "${o.seed}", warmed up ${(o.warmupMicros / 60e6).toFixed(0)} min in fast-forward, then ${(o.durationMs / 1000).toFixed(0)} s in real time. ` +
      `The real node is ${r.nodeAddress} in the world; simulated inbound peers reach it from ${o.inboundSource === 'simulated' ? 'their simulated IPv4 addresses (namespace remedy)' : '127.0.0.1 (loopback)'}.`,
    '',
    `Real-time pacing: ${(p.pacedMicros / 1e6).toFixed(1)} s paced, ${p.behindEpisodes} behind episode(s), worst lag ${(p.maxLagMicros / 1000).toFixed(0)} ms, ${(p.behindMicros / 1000).toFixed(0)} ms behind in total.`,
    ...r.behindReports.map((l) => `- ${l}`),
    '',
    '## Peers (getpeerinfo)',
    '',
    `**${r.real.label}**: ${countTypes(r.real)}`,
    '',
    peersTable(r.real),
    '',
    `**${r.simulated.label}** (the simulated node with the most inbound peers, read through the port's getpeerinfo): ${countTypes(r.simulated)}`,
    '',
    peersTable(r.simulated),
    '',
    '## AddrMan (getaddrmaninfo)',
    '',
    addrmanTable(r.real, r.simulated),
    '',
    '## The real node over the run',
    '',
    table(
      ['wall s', 'sim s', 'outbound-full-relay', 'block-relay-only', 'inbound', 'other', 'addrman total'],
      r.snapshots.map((s) => [(s.wallMs / 1000).toFixed(1), (s.simMicros / 1e6).toFixed(1), s.outboundFullRelay, s.blockRelayOnly, s.inbound, s.other, s.addrmanTotal]),
    ),
    '',
    '## Across the bridge',
    '',
    `- Outbound through the SOCKS5 proxy: ${t.outboundAttempts} attempts, ${t.outboundEstablished} established, ${t.outboundFailed} failed in the world; ${r.refusedSocks.length} refused (not a simulated address).`,
    `- Inbound from simulated peers: ${t.inboundAttempts} attempts, ${t.inboundEstablished} reached the node, ${t.inboundClosedByNode} closed by the node (${t.inboundClosedByNodeAfterHandshake} of them after the handshake).`,
    `- getheaders answered with an empty headers message: ${t.getheadersAnswered}. Ignored from the node (no model of their content): ${kv(t.ignored)}. Simulated messages without bytes, not sent: ${kv(t.droppedFromSim)}.`,
    `- Malformed input from the node (link dropped): ${t.malformed}.`,
    '',
    '## Inbound eviction (the node\'s debug.log)',
    '',
    ...(r.evictionLog.length === 0 ? ['none'] : r.evictionLog.map((l) => `    ${l}`)),
    '',
  ].join('\n');
}
