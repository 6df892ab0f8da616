// Which service flags we require from a peer (Core's PeerManagerImpl::GetDesirableServiceFlags and
// HasAllDesirableServiceFlags, net_processing.cpp), as pure functions of the peer's flags and our
// chain tip's timestamp. Near the tip a pruned peer (NODE_NETWORK_LIMITED) can serve everything we
// still need; far behind we need peers that serve the full chain (NODE_NETWORK).
// This file does not hold the ServiceFlags constants (protocol.ts) nor track the best block: the
// PeerManager keeps m_best_block_time and passes it in.

import {
  NODE_NETWORK,
  NODE_NETWORK_LIMITED,
  NODE_WITNESS,
  hasAllFlags,
  hasAnyFlag,
  orFlags,
  type ServiceFlags,
} from '../protocol/protocol.ts';

/** How many blocks behind the tip we may be and still accept NODE_NETWORK_LIMITED peers. */
// Core: net_processing.cpp NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS
export const NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS = 144;

/** Target block spacing, seconds (consensus nPowTargetSpacing, the same on every Core chain). */
export const POW_TARGET_SPACING_SECONDS = 600;

/**
 * How many blocks we are behind, guessed from the tip's timestamp: whole block intervals since it.
 * Core divides signed integers, truncating toward zero, so a tip stamped in the future gives 0 or
 * a negative depth (and counts as close to the tip). Before any tip is known Core's best block time
 * is 0, which makes the depth huge.
 */
// Core: net_processing.cpp PeerManagerImpl::ApproximateBestBlockDepth
export function approximateBestBlockDepth(
  nowSeconds: number,
  bestBlockTimeSeconds: number,
  powTargetSpacingSeconds: number = POW_TARGET_SPACING_SECONDS,
): number {
  // `+ 0` turns the -0 of a small negative quotient into 0, as an integer division would give.
  return Math.trunc((nowSeconds - bestBlockTimeSeconds) / powTargetSpacingSeconds) + 0;
}

/**
 * The flags a peer advertising `services` must have to be worth an outbound slot. `nowSeconds` is
 * the node clock in whole seconds (Core's GetTime<std::chrono::seconds>(), i.e. the microsecond
 * clock divided by 10^6 and truncated); `bestBlockTimeSeconds` is the tip's header timestamp, 0
 * while unknown. With `services` = NODE_NONE the answer never depends on the chain state.
 */
// Core: net_processing.cpp PeerManagerImpl::GetDesirableServiceFlags
export function getDesirableServiceFlags(
  services: ServiceFlags,
  nowSeconds: number,
  bestBlockTimeSeconds: number,
  powTargetSpacingSeconds: number = POW_TARGET_SPACING_SECONDS,
): ServiceFlags {
  if (hasAnyFlag(services, NODE_NETWORK_LIMITED)) {
    if (
      approximateBestBlockDepth(nowSeconds, bestBlockTimeSeconds, powTargetSpacingSeconds) <
      NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS
    ) {
      return orFlags(NODE_NETWORK_LIMITED, NODE_WITNESS);
    }
  }
  return orFlags(NODE_NETWORK, NODE_WITNESS);
}

/** Whether `services` has every flag getDesirableServiceFlags asks of it. */
// Core: net_processing.cpp PeerManagerImpl::HasAllDesirableServiceFlags
export function hasAllDesirableServiceFlags(
  services: ServiceFlags,
  nowSeconds: number,
  bestBlockTimeSeconds: number,
  powTargetSpacingSeconds: number = POW_TARGET_SPACING_SECONDS,
): boolean {
  return hasAllFlags(
    services,
    getDesirableServiceFlags(services, nowSeconds, bestBlockTimeSeconds, powTargetSpacingSeconds),
  );
}
