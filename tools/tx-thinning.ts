// Does the thinned transaction stream (the `txArrivals` default, one novel transaction per 10 minutes
// network-wide) decide inbound eviction as a realistic stream would? (issue 17, deliverable 2.)
//
// Builds small honest worlds short of inbound slots (-maxconnections=60, as tools/eviction-ties.ts)
// with blocks and per-link latency, and a reference stream of `--rate` (default poisson(1/s)). At
// every eviction decision the victim is selected three times from the same candidates:
//   reference  with the last-transaction times the reference stream gave (what the node did);
//   thinned    with the times a thinned stream would have given: each peer's last novel
//              transaction among a subsample kept with probability `--keep` (default 1/600, so
//              1/s thins to one per 10 minutes). A Poisson stream thinned independently is a Poisson
//              stream of the thinned rate, and its transactions travel by the same relay code over
//              the same links, so this is the thinned world's protection on the reference world's
//              state (the other transactions change no timing: the port has no bandwidth model);
//   none       with every last-transaction time 0 (no transactions at all).
// and the shares of decisions whose victim agrees are printed, with the share in which the
// tx-time protection step changes the victim at all (reference vs none).
//
//   node --import ./bin/loader.mjs tools/tx-thinning.ts [--nodes 30] [--hours 1] [--from 0] [--seeds 1,2] [--rate 'poisson(1/s)'] [--keep 0.0016667]
//
// (--from H counts only the decisions after H simulated hours.)
//
// Diagnostics only: it reads the port through ConnmanOptions.evictionTieObserver and by wrapping
// PeerTxRelay's mempool accept in this process; nothing the nodes do changes.

import { Rng, hours as h, parseDistribution, perLinkLatency, samplerFor } from '../sim/index.ts';
import { selectNodeToEvict, type NodeEvictionCandidate } from '../connman/net/eviction.ts';
import type { Node } from '../connman/net/node.ts';
import { PeerTxRelay } from '../connman/net_processing/tx.ts';
import { resolveWorldSettings } from '../scenarios/world/world-settings.ts';
import { worldOptionsFor } from '../scenarios/world/population.ts';
import { World } from '../scenarios/world/world.ts';
import { BlockSource, POOL_HASH_SHARES } from '../scenarios/world/block-source.ts';
import { TxSource } from '../scenarios/world/tx-source.ts';
import { arg } from './arg.ts';

const nodes = Number(arg('nodes', '30'));
const simHours = Number(arg('hours', '1'));
const seeds = arg('seeds', '1,2').split(',');
const rate = parseDistribution(arg('rate', 'poisson(1/s)'), 'duration');
const keep = Number(arg('keep', String(1 / 600)));
/** Count decisions from this simulated time on (hours), past the bootstrap. */
const fromHours = Number(arg('from', '0'));

// The peer (Node object) that first delivered each kept novel transaction, as it is accepted.
const keptLastTx = new WeakMap<Node, number>();
let keepRng = new Rng('tx-thinning');
const kept = new Map<number, boolean>();
type Relay = { acceptToMempool: (txid: number, from: Node | null) => void; host: { nowMicros(): number } };
const proto = PeerTxRelay.prototype as unknown as Relay;
const accept = proto.acceptToMempool;
proto.acceptToMempool = function (this: Relay, txid: number, from: Node | null): void {
  accept.call(this, txid, from);
  if (from === null) return;
  let k = kept.get(txid);
  if (k === undefined) kept.set(txid, (k = keepRng.fork(String(txid)).random() < keep));
  // Core sets m_last_tx_time right after the accept (tx.ts processTx), in whole seconds.
  if (k) keptLastTx.set(from, Math.floor(this.host.nowMicros() / 1_000_000));
};

let decisions = 0;
let agreeThinned = 0;
let agreeNone = 0;
let thinnedVsNone = 0;
let withRefTx = 0;
let withThinTx = 0;
for (const seed of seeds) {
  keepRng = new Rng(`tx-thinning/${seed}`);
  kept.clear();
  const base = worldOptionsFor({ nodes, listeningShare: 0.15 }, seed);
  const settings = resolveWorldSettings([]).settings;
  let world: World | undefined;
  const observerFor = (index: number) => (_steps: unknown, victim: number | null, candidates?: readonly NodeEvictionCandidate[]): void => {
    if (victim === null || candidates === undefined || world === undefined || world.kernel.now() < h(fromHours)) return;
    const c = world.nodes[index]!.connman!;
    const thinned = candidates.map((x) => {
      const n = c.getNode(x.id);
      return { ...x, lastTxTimeSeconds: n !== undefined ? (keptLastTx.get(n) ?? 0) : 0 };
    });
    const none = candidates.map((x) => ({ ...x, lastTxTimeSeconds: 0 }));
    const vThin = selectNodeToEvict(thinned);
    const vNone = selectNodeToEvict(none);
    decisions++;
    if (vThin === victim) agreeThinned++;
    if (vNone === victim) agreeNone++;
    if (vThin === vNone) thinnedVsNone++;
    if (candidates.some((x) => x.lastTxTimeSeconds > 0)) withRefTx++;
    if (thinned.some((x) => x.lastTxTimeSeconds > 0)) withThinTx++;
  };
  const links = new Rng(seed).fork('world/links');
  world = new World({
    ...base,
    seed,
    latency: perLinkLatency(base.latency!, (a, b) => samplerFor(links.fork(`${a}-${b}`), settings.linkLatencyFactor!)()),
    blocks: true,
    connman: (i: number) => ({ maxConnections: 60, evictionTieObserver: observerFor(i) }),
  });
  new BlockSource(world, { interval: settings.blockInterval, pools: POOL_HASH_SHARES }).start();
  const tx = new TxSource(world, { ratePerSecond: 1, interval: rate.spec });
  world.runUntil(h(simHours));
  console.error(`seed ${seed}: ${tx.submitted} transactions, ${decisions} eviction decisions so far`);
}
const share = (x: number): number | null => (decisions === 0 ? null : Math.round((1e4 * x) / decisions) / 1e4);
console.log(
  JSON.stringify({
    nodes,
    hours: simHours,
    fromHours,
    seeds,
    rate: rate.text,
    keep,
    decisions,
    agreeThinned: share(agreeThinned),
    agreeNoTx: share(agreeNone),
    thinnedSameAsNoTx: share(thinnedVsNone),
    decisionsWithAnyTxTime: { reference: share(withRefTx), thinned: share(withThinTx) },
  }),
);
