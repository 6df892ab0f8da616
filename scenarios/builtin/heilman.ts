// The eclipse attack of Heilman, Kendler, Zohar and Goldberg (USENIX Security 2015), shared by the
// eclipse-botnet and eclipse-infrastructure scenarios, which differ only in how the attacker's
// addresses are spread (one per /16 for a botnet; many per /16 in a few /16s for an
// infrastructure attacker) and in how its hosts are run.
//
// The attack, as the paper describes it, against victims that accept inbound connections:
//   1. Populate tried: connect to the victim from each attacker address in turn (under Core before
//      0.10.1 an inbound peer whose VERSION names its own address lands in the tried table).
//   2. Populate new: send ADDR messages full of "trash" addresses (owned by nobody) and attacker
//      addresses, so that what the victim does not pick from tried fails to connect.
//   3. Occupy the victim's inbound slots when the attack ends, so honest nodes cannot connect in.
//   4. Wait for the victim to restart: its outbound connections are rebuilt from the poisoned
//      tables; the attack succeeds when every one of them lands on an attacker address.
// Attacker addresses listen (AttackerListeners), so a victim's outbound connection to one of them
// succeeds and is held.

import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import { distributionParam, param, type MetricSpec, type ParamValuesOf, type ScriptContext, type ScriptIterator, type TimelineStep } from '../dsl/scenario.ts';

export type HeilmanVariant = 'botnet' | 'infrastructure';

export const HEILMAN_REFERENCE =
  'Heilman, Kendler, Zohar, Goldberg: "Eclipse Attacks on Bitcoin\'s Peer-to-Peer Network", USENIX Security 2015';

/** The parameters of both variants but the address spread; `attackerAddresses` differs in its default. */
function commonParams(defaultAddresses: number, addressesDescription: string) {
  return {
    attackerAddresses: param({ type: 'integer', default: defaultAddresses, min: 8, max: 200_000, description: addressesDescription }),
    trashAddresses: param({ type: 'integer', default: 10_000, min: 0, max: 200_000, description: 'Addresses nobody owns that the attacker advertises to fill the new table' }),
    historyTried: param({
      type: 'integer',
      default: 1000,
      min: 0,
      max: 100_000,
      description: 'Honest addresses (outside the simulated population) already in each victim\'s tried table when the attack starts: a long-running node in a large network',
    }),
    historyLiveShare: param({
      type: 'number',
      default: 0.25,
      min: 0,
      max: 1,
      description: 'Share of those tried entries whose nodes are still online (the rest went away, as most of a long-running node\'s tried entries do)',
    }),
    historyNew: param({ type: 'integer', default: 4000, min: 0, max: 100_000, description: 'Addresses (of nodes long gone) already in each victim\'s new table when the attack starts' }),
    victims: param({ type: 'integer', default: 3, min: 1, max: 50, description: 'Listening honest nodes attacked at once (each restarts at the same time)' }),
    attackAt: param({ type: 'duration', default: '30m', description: 'When the attack starts (the honest network forms before)' }),
    attackFor: param({ type: 'duration', default: '2h', description: 'How long the attacker fills the tables before the victims restart' }),
    connectionsPerSecond: param({ type: 'number', default: 5, min: 0.01, max: 1000, description: 'Rate of the attacker\'s short inbound connections to each victim while it populates tried' }),
    reconnectDelay: param({
      type: 'distribution',
      default: 'constant(30s)',
      description: "Delay before one of the 200 slot-holding Sybils (step 3) reconnects after a victim dropped it (a stated default: an attacker chooses)",
    }),
    repeatPasses: param({ type: 'boolean', default: true, description: 'Keep cycling through the attacker addresses until the victims restart (false: one pass)' }),
    downtime: param({ type: 'duration', default: '1m', description: 'How long a victim stays down at its restart' }),
    expectOutcome: param({
      type: 'string',
      default: 'auto',
      choices: ['auto', 'eclipsed', 'resisted', 'any'],
      description: "What the run expects: 'auto' = eclipsed under a profile that puts inbound peers in tried (core-v0.10), resisted otherwise",
    }),
  };
}

/** The botnet's parameters: one address per /16. */
export const BOTNET_PARAMS = commonParams(4600, 'Attacker addresses (bots), each in its own /16');

const infrastructureCommon = commonParams(8192, 'Attacker addresses in total, spread evenly over `groups` /16s');
/** The infrastructure attacker's parameters: its addresses spread over `groups` /16s. */
const { attackerAddresses: infrastructureAddresses, ...infrastructureRest } = infrastructureCommon;
export const INFRASTRUCTURE_PARAMS = {
  attackerAddresses: infrastructureAddresses,
  groups: param({ type: 'integer', default: 32, min: 1, max: 4096, description: 'Distinct /16s the attacker owns addresses in' }),
  ...infrastructureRest,
};

/**
 * What the shared script reads: the common parameters, `groups` for the infrastructure variant, and
 * the knobs only the eclipse-table study (scenarios/studies/eclipse-table.ts) sets: the age of the
 * victims' history entries and victims of the other kinds (unreachable, or not restarting). Absent,
 * the script behaves as it always did (the two built-in scenarios do not declare them).
 */
export type HeilmanParams = ParamValuesOf<typeof BOTNET_PARAMS> & {
  readonly groups?: number;
  /** Age of the seeded tried entries (µs; default 3 h). */
  readonly historyTriedAge?: number;
  /** Age of the seeded new entries (µs; default 2 days). */
  readonly historyNewAge?: number;
  /** Listening victims that are attacked like the others but do not restart. */
  readonly steadyVictims?: number;
  /** Non-listening victims that restart with the others (the attacker cannot connect to them). */
  readonly unreachableVictims?: number;
  /** Non-listening victims that do not restart. */
  readonly steadyUnreachableVictims?: number;
  /** Restarts of the restarting victims, one every `restartEvery` (Heilman et al. restarted their victim 50 times per configuration). */
  readonly restarts?: number;
  /** Time between two restarts; each victim's state is sampled just before the next restart (µs). */
  readonly restartEvery?: number;
};

/** The victim kinds of the eclipse-table study, in the order their metrics are named. */
export const VICTIM_KINDS = ['reachableRestart', 'reachableSteady', 'unreachableRestart', 'unreachableSteady'] as const;
export type VictimKind = (typeof VICTIM_KINDS)[number];

/** The per-kind metrics the study records (`eclipsed_<kind>` and friends); the built-ins record none of them. */
export function victimKindMetrics(): Record<string, MetricSpec> {
  const m: Record<string, MetricSpec> = {};
  for (const k of VICTIM_KINDS) {
    m[`eclipsed_${k}`] = { kind: 'share', description: `share of the ${k} victims eclipsed at the end (every long-lived outbound peer the attacker's)` };
    m[`restartsEclipsed_${k}`] = { kind: 'share', description: `share of the samples taken \`restartEvery\` after each restart (one per victim and restart) at which a ${k} victim was eclipsed` };
    m[`restartSamples_${k}`] = { kind: 'count', description: `samples behind restartsEclipsed_${k} (victims × restarts)` };
    m[`eclipsedTime_${k}`] = { kind: 'share', description: `share of the samples after the restart (every 5 min) at which a ${k} victim was eclipsed, mean over those victims` };
    m[`outboundAttacker_${k}`] = { kind: 'share', description: `share of the ${k} victims' long-lived outbound peers that are the attacker's at the end` };
    m[`tried_${k}`] = { kind: 'number', description: `mean tried-table size of the ${k} victims at the end (entries)` };
    m[`new_${k}`] = { kind: 'number', description: `mean new-table size of the ${k} victims at the end (entries)` };
    m[`triedAttacker_${k}`] = { kind: 'share', description: `mean share of the ${k} victims' tried table holding attacker addresses at the end` };
    m[`newAttacker_${k}`] = { kind: 'share', description: `mean share of the ${k} victims' new table holding attacker addresses at the end` };
  }
  return m;
}

/** The attack's moments: it starts, the victims restart, and they are back (the outcome is measured after that). */
export function heilmanTimeline(p: HeilmanParams): TimelineStep[] {
  const restart = p.attackAt + p.attackFor + 60_000_000;
  return [
    { what: 'the attack starts', atMicros: p.attackAt },
    { what: 'the victims come back from their restart', atMicros: restart + p.downtime },
  ];
}

/** The metrics the attack's outcome check records. */
export const HEILMAN_METRICS = {
  victimsEclipsed: { kind: 'count', description: 'victims with only attacker long-lived outbound peers at the end' },
  victimsEclipsedShare: { kind: 'share', description: 'share of the victims eclipsed at the end' },
  victimOutboundAttackerShare: { kind: 'share', description: "share of the victims' long-lived outbound peers that are the attacker's" },
  victimTriedAttackerShare: { kind: 'share', description: "share of the victims' tried table holding attacker addresses (mean over victims)" },
  victimNewAttackerShare: { kind: 'share', description: "share of the victims' new table holding attacker addresses (mean over victims)" },
} as const satisfies Record<string, MetricSpec>;

/** Victims eclipsed at the end, out of all victims; the threshold a pre-countermeasure profile must reach. */
export const ECLIPSED_SHARE_EXPECTED = 0.5;

export function heilmanScript(variant: HeilmanVariant): (s: ScriptContext, p: HeilmanParams) => ScriptIterator {
  return function* script(s: ScriptContext, p: HeilmanParams): ScriptIterator {
    const victimCount = p.victims;
    const victims: number[] = [];
    for (let i = 0; i < victimCount; i++) victims.push(s.victim());
    // The study's other kinds, drawn after the built-ins' victims so that those draw as before.
    const kinds = new Map<VictimKind, number[]>([['reachableRestart', [...victims]]]);
    const perKind = p.steadyVictims !== undefined || p.unreachableVictims !== undefined || p.steadyUnreachableVictims !== undefined;
    if (perKind) {
      const steady: number[] = [];
      for (let i = 0; i < (p.steadyVictims ?? 0); i++) steady.push(s.victim());
      const hidden = s.pickNodes((p.unreachableVictims ?? 0) + (p.steadyUnreachableVictims ?? 0), { listening: false, exclude: [...victims, ...steady] });
      for (const v of hidden) s.victim(v);
      kinds.set('reachableSteady', steady);
      kinds.set('unreachableRestart', hidden.slice(0, p.unreachableVictims ?? 0));
      kinds.set('unreachableSteady', hidden.slice(p.unreachableVictims ?? 0));
    }
    const reachable = [...victims, ...(kinds.get('reachableSteady') ?? [])];
    const everyVictim = [...reachable, ...(kinds.get('unreachableRestart') ?? []), ...(kinds.get('unreachableSteady') ?? [])];
    const restarting = [...victims, ...(kinds.get('unreachableRestart') ?? [])];
    for (const v of everyVictim) s.protect(v);
    const targets = reachable.map((v) => s.serviceOf(v));

    yield s.at(p.attackAt);
    // The victims' history: tried entries of live honest nodes outside the simulated population
    // (they accept connections like any honest peer), new entries of nodes long gone.
    const historyTried = p.historyTried;
    const historyNew = p.historyNew;
    const liveCount = Math.round(historyTried * p.historyLiveShare);
    const tried = liveCount > 0 ? s.spawnBackground({ kind: 'listeners', count: liveCount, getAddrAnswer: 'none' }).attacker.addresses() : [];
    if (historyTried > liveCount) tried.push(...s.allocateAddresses(historyTried - liveCount));
    const triedAge = p.historyTriedAge === undefined ? 3 * 3600 : Math.floor(p.historyTriedAge / 1_000_000);
    const newAge = p.historyNewAge === undefined ? 2 * 86400 : Math.floor(p.historyNewAge / 1_000_000);
    for (const v of everyVictim) s.seedAddrman(v, tried, { tried: true, ageSeconds: triedAge });
    if (historyNew > 0) {
      const gone = s.allocateAddresses(historyNew);
      for (const v of everyVictim) s.seedAddrman(v, gone, { tried: false, ageSeconds: newAge });
    }
    s.attackStarts();
    const total = p.attackerAddresses;
    // The infrastructure attacker's /16s (`groups`, a parameter of that variant only); a botnet has one per address.
    const groups = p.groups ?? total;
    const spread = variant === 'botnet' ? { slash16s: total } : { slash16s: Math.min(total, groups) };
    // 1. Tried: one short inbound connection from every attacker address to every victim, in one
    //    pass at `connectionsPerSecond`, each naming its own address in VERSION. The same addresses
    //    listen, so a victim's outbound connection to one of them succeeds and is held.
    const main = s.spawnAttacker({
      kind: 'inbound-sybils',
      targets,
      count: total,
      spread,
      listen: true,
      mode: 'churn',
      meanHoldMicros: 2_000_000,
      connectionsPerAddress: 1,
      connectIntervalMicros: Math.max(1, Math.round(1_000_000 / p.connectionsPerSecond)),
      // Each address comes back once per pass, for as long as the attack lasts (refreshing its tried
      // entry, which v0.10's eviction of the oldest entries then spares).
      reconnectDelayMicros: p.repeatPasses === true ? Math.round((total * targets.length * 1_000_000) / p.connectionsPerSecond) : null,
      announceSelfInVersion: true,
      hostStyle: variant === 'botnet' ? 'botnet' : 'infrastructure',
    });
    const attackerAddrs: readonly NetAddr[] = main.attacker.addresses();
    // 2. New: trash and attacker addresses, unsolicited, from a few connections, each sending one
    //    1000-address message every 100 s (the whole list goes round every few minutes).
    const trash = p.trashAddresses;
    if (trash > 0) {
      s.spawnAttacker({ kind: 'addr-flood', targets, count: 4, advertiseCount: trash, messagesPerSecond: 0.01, entriesPerMessage: 1000, unsolicitedOnly: true, floodForMicros: p.attackFor });
    }
    s.spawnAttacker({ kind: 'addr-flood', targets, count: 4, advertise: attackerAddrs, messagesPerSecond: 0.01, entriesPerMessage: 1000, unsolicitedOnly: true, floodForMicros: p.attackFor });

    yield s.wait(p.attackFor);
    // 3. Inbound slots: hold them from attacker addresses.
    s.spawnAttacker({ kind: 'inbound-sybils', targets, count: 200, spread: variant === 'botnet' ? { slash16s: 200 } : { slash16s: Math.min(200, groups) }, mode: 'hold', reconnectDelay: distributionParam(p.reconnectDelay), hostStyle: variant === 'botnet' ? 'botnet' : 'infrastructure' });
    yield s.wait('1m');
    // 4. The victims restart.
    for (const v of restarting) s.restart(v, p.downtime);
    s.mark('victims restart');
    if (perKind) {
      // The study: sample every victim `restartEvery` after each restart, then restart again.
      const restartSamples = new Map<number, { eclipsed: number; taken: number }>();
      for (const list of kinds.values()) for (const v of list) restartSamples.set(v, { eclipsed: 0, taken: 0 });
      recordPerKind(s, kinds, p.downtime, restartSamples);
      const restarts = p.restarts ?? 1;
      const every = p.restartEvery ?? 600_000_000;
      for (let r = 0; r < restarts; r++) {
        yield s.wait(every);
        for (const [v, c] of restartSamples) {
          c.taken++;
          if (s.isEclipsed(v)) c.eclipsed++;
        }
        if (r + 1 < restarts) for (const v of restarting) s.restart(v, p.downtime);
      }
    }

    const expectation = p.expectOutcome;
    s.expect('attack outcome', () => {
      const eclipsed = victims.filter((v) => s.isEclipsed(v)).length;
      const share = eclipsed / victims.length;
      s.metric('victimsEclipsed', eclipsed);
      s.metric('victimsEclipsedShare', share);
      let attackerOut = 0;
      let allOut = 0;
      for (const v of victims) {
        const c = s.outboundCounts(v);
        attackerOut += c.attacker;
        allOut += c.total;
      }
      s.metric('victimOutboundAttackerShare', allOut === 0 ? 0 : attackerOut / allOut);
      const tables = victims.map((v) => s.addrmanAttackerShare(v));
      s.metric('victimTriedAttackerShare', tables.reduce((a, t) => a + t.tried, 0) / victims.length);
      s.metric('victimNewAttackerShare', tables.reduce((a, t) => a + t.new, 0) / victims.length);
      const expected = expectation === 'auto' ? (s.profileSettings.inboundVersionGood === true ? 'eclipsed' : 'resisted') : expectation;
      const seen = `${eclipsed} of ${victims.length} victims eclipsed at the end (${(100 * (allOut === 0 ? 0 : attackerOut / allOut)).toFixed(0)}% of their long-lived outbound peers are the attacker's)`;
      if (expected === 'eclipsed') return { passed: share >= ECLIPSED_SHARE_EXPECTED, detail: `${seen}; expected at least ${ECLIPSED_SHARE_EXPECTED * 100}% eclipsed under ${s.profileName}` };
      if (expected === 'resisted') return { passed: eclipsed === 0, detail: `${seen}; expected none under ${s.profileName}` };
      return { passed: true, detail: `${seen}; no expectation set` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  };
}

/**
 * The study's per-kind measurements: from the restart on, every 5 minutes, which victims are
 * eclipsed (the "over time" share), and at the end, per kind, the share eclipsed, the attacker's
 * share of the outbound peers and the tables' sizes and attacker shares (means over the kind's
 * victims). A kind with no victims records nothing.
 */
function recordPerKind(s: ScriptContext, kinds: ReadonlyMap<VictimKind, number[]>, downtime: number, restartSamples: ReadonlyMap<number, { eclipsed: number; taken: number }>): void {
  const samples = new Map<number, { eclipsed: number; taken: number }>();
  for (const list of kinds.values()) for (const v of list) samples.set(v, { eclipsed: 0, taken: 0 });
  // The first sample after the victims are back (the downtime plus one minute to reconnect).
  s.after(downtime + 60_000_000, () => {
    s.every('5m', () => {
      for (const [v, c] of samples) {
        c.taken++;
        if (s.isEclipsed(v)) c.eclipsed++;
      }
    });
  });
  s.expect('per-kind outcome recorded', () => {
    const parts: string[] = [];
    for (const kind of VICTIM_KINDS) {
      const list = kinds.get(kind) ?? [];
      if (list.length === 0) continue;
      let eclipsed = 0;
      let overTime = 0;
      let attackerOut = 0;
      let allOut = 0;
      let tried = 0;
      let news = 0;
      let triedA = 0;
      let newA = 0;
      let restartHits = 0;
      let restartTaken = 0;
      for (const v of list) {
        const r = restartSamples.get(v)!;
        restartHits += r.eclipsed;
        restartTaken += r.taken;
        if (s.isEclipsed(v)) eclipsed++;
        const c = samples.get(v)!;
        overTime += c.taken === 0 ? 0 : c.eclipsed / c.taken;
        const o = s.outboundCounts(v);
        attackerOut += o.attacker;
        allOut += o.total;
        const sizes = s.addrmanSizes(v);
        tried += sizes.tried;
        news += sizes.new;
        const share = s.addrmanAttackerShare(v);
        triedA += share.tried;
        newA += share.new;
      }
      const n = list.length;
      s.metric(`eclipsed_${kind}`, eclipsed / n);
      s.metric(`eclipsedTime_${kind}`, overTime / n);
      s.metric(`restartsEclipsed_${kind}`, restartTaken === 0 ? 0 : restartHits / restartTaken);
      s.metric(`restartSamples_${kind}`, restartTaken);
      s.metric(`outboundAttacker_${kind}`, allOut === 0 ? 0 : attackerOut / allOut);
      s.metric(`tried_${kind}`, tried / n);
      s.metric(`new_${kind}`, news / n);
      s.metric(`triedAttacker_${kind}`, triedA / n);
      s.metric(`newAttacker_${kind}`, newA / n);
      parts.push(`${kind}: ${eclipsed} of ${n} eclipsed at the end, ${restartHits} of ${restartTaken} restart samples`);
    }
    return { passed: true, detail: parts.join('; ') };
  }, 'outcome');
}
