// Small configurations of every built-in scenario, for the test suite: a few dozen nodes and a
// timeline shrunk to fit under an hour or two of simulated time, with each attack's mechanics
// still exercised. Full-size behaviour is what `connsim run` and the benchmarks measure.

import type { RunRequest } from '../dsl/runner.ts';

export type Small = Omit<RunRequest, 'scenario' | 'seed'>;

export const SMALL: Record<string, Small> = {
  baseline: { nodes: 20, duration: '30m' },
  'eclipse-botnet': { nodes: 20, duration: '50m', params: ['attackerAddresses=100', 'trashAddresses=500', 'victims=1', 'attackAt=10m', 'attackFor=15m', 'connectionsPerSecond=10', 'expectOutcome=any'] },
  'eclipse-infrastructure': { nodes: 20, duration: '50m', params: ['attackerAddresses=100', 'groups=4', 'trashAddresses=500', 'victims=1', 'attackAt=10m', 'attackFor=15m', 'connectionsPerSecond=10', 'expectOutcome=any'] },
  erebus: { nodes: 20, duration: '50m', params: ['attackerAddresses=100', 'asns=2', 'slash16sPerAsn=10', 'victims=1', 'attackAt=10m', 'attackFor=15m'], set: ['asmap=true'] },
  'inbound-flood': { nodes: 20, duration: '40m', params: ['sybils=40', 'victims=1', 'attackAt=15m'] },
  'addr-flood': { nodes: 20, duration: '30m', params: ['flooders=2', 'advertised=2000', 'victims=1', 'attackAt=10m'] },
  slowloris: { nodes: 20, duration: '35m', params: ['silent=3', 'slow=3', 'victims=1', 'attackAt=5m'] },
  churn: { nodes: 20, duration: '90m', params: ['sessionScale=30m', 'downtimeScale=10m', 'minOutbound=4'] },
  'restart-anchors': { nodes: 20, duration: '50m', params: ['attackerAddresses=100', 'relayers=3', 'victims=1', 'attackAt=10m', 'restartAt=35m'] },
  'dns-poison': { nodes: 20, duration: '40m', params: ['attackerAddresses=60', 'newcomers=1', 'joinAt=10m'] },
  partition: { nodes: 20, duration: '80m', params: ['splitAt=10m', 'splitFor=40m'] },
  // Cheaper floods in a small world (the preset's 1,404/h would dominate the suite's time); the
  // per-connection rate is not held to mainnet's band at this size. The preset's warm-up shrunk
  // with it (6h in the preset): joins, restarts and the scenario clock starting after them.
  calibration: {
    nodes: 30,
    duration: '40m',
    params: ['settle=15m', 'checkAddrRate=false'],
    set: ['outsideAnnouncements=poisson(200/h)', 'warmup=30m', 'joins=uniform(0s,10m)', 'warmupRestart=uniform(10m,20m)'],
  },
};
