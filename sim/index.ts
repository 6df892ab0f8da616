// The public API of sim/, the Bitcoin-agnostic simulation kernel: virtual time, the event queue,
// seeded random streams and distributions, the simulated network and its latency models, and the
// trace digest. Import from here rather than from the individual files.

export type { Micros } from './time.ts';
export {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MILLISECOND,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  DurationParseError,
  days,
  formatDuration,
  hours,
  millis,
  minutes,
  parseDuration,
  seconds,
  toSeconds,
} from './time.ts';

export type { EventHandle, EventHandler, EventObserver, HandlerKind, RunOptions } from './kernel.ts';
export { Kernel, ScheduleError } from './kernel.ts';

export { RNG_ALGORITHM, Rng, hashString128 } from './rng.ts';

export type { DistributionSpec, Sampler } from './distributions.ts';
export { DISTRIBUTION_FORMS, parseDistribution, type DistributionUnit, type ParsedDistribution } from './distribution-text.ts';
export {
  AliasTable,
  DistributionError,
  bernoulli,
  constant,
  discrete,
  erlang,
  exponential,
  gamma,
  logGamma,
  logNormal,
  normal,
  poisson,
  samplerFor,
  uniform,
  weibull,
} from './distributions.ts';

export type { LatencyModel } from './latency.ts';
export { constantLatency, perLinkLatency, regionLatency, sampledLatency } from './latency.ts';

export type {
  AddressKind,
  CloseReason,
  ConnectFailure,
  FaultHandle,
  FaultRule,
  HostHandlers,
  HostId,
  HostOptions,
  NetworkOptions,
  NetworkStats,
  SimAddress,
  SocketId,
  SocketInfo,
} from './network.ts';
export { Network, NetworkError } from './network.ts';

export type { TraceSink } from './trace.ts';
export { Trace } from './trace.ts';
