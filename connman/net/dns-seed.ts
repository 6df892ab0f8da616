// Core's ThreadDNSAddressSeed (net.cpp, spec §7.1) as an event-driven state machine: wait for
// seednodes (up to 30 s), then query DNS seeds — all at once with an empty addrman, else three at a
// time with 11 s (or 300 s) pauses while we have fewer than two full-outbound peers — adding what
// they return to AddrMan, or queueing an ADDR_FETCH to a seed that returned nothing. It does not
// resolve names itself (the DnsSeedResolver port does) nor open connections.

import type { AddrMan } from '../addrman/addrman.ts';
import { NetAddr, Service } from '../protocol/netaddress.ts';
import type { DnsSeedResolver, EventSink, Micros, Rng, Scheduler } from '../ports.ts';
import { Address, NODE_NETWORK, NODE_P2P_V2, NODE_WITNESS } from '../protocol/protocol.ts';
import { MICROS_PER_SECOND as S } from '../util/time.ts';
import type { Logger } from '../util/logging.ts';

// Core: net.cpp DNSSEEDS_TO_QUERY_AT_ONCE
export const DNSSEEDS_TO_QUERY_AT_ONCE = 3;
// Core: net.cpp SEED_OUTBOUND_CONNECTION_THRESHOLD
export const SEED_OUTBOUND_CONNECTION_THRESHOLD = 2;
// Core: net.cpp DNSSEEDS_DELAY_FEW_PEERS
export const DNSSEEDS_DELAY_FEW_PEERS: Micros = 11 * S;
// Core: net.cpp DNSSEEDS_DELAY_MANY_PEERS
export const DNSSEEDS_DELAY_MANY_PEERS: Micros = 300 * S;
// Core: net.cpp DNSSEEDS_DELAY_PEER_THRESHOLD
export const DNSSEEDS_DELAY_PEER_THRESHOLD = 1000;
/** Core: net.cpp ThreadDNSAddressSeed's SEEDNODE_TIMEOUT. */
export const SEEDNODE_TIMEOUT: Micros = 30 * S;
/** Core: net.cpp ThreadDNSAddressSeed's nMaxIPs. */
export const DNS_SEED_MAX_IPS = 32;
/** The service filter DNS seeds are asked for (x9 = NODE_NETWORK | NODE_WITNESS). */
// Core: protocol.h SeedsServiceFlags
export const SEEDS_SERVICE_FLAGS = NODE_NETWORK | NODE_WITNESS;
/** What addresses from seeds are assumed to offer. */
// Core: protocol.h SeedsAssumedServiceFlags
export const SEEDS_ASSUMED_SERVICE_FLAGS = NODE_NETWORK | NODE_WITNESS | NODE_P2P_V2;

const HALF_SECOND: Micros = 500_000;

/** What the thread reads from and does to its Connman. */
export interface DnsSeedHost {
  /** debug.log. */
  readonly log: Logger;
  readonly clock: { nowMicros(): Micros };
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly addrman: AddrMan;
  readonly resolver: DnsSeedResolver;
  readonly events: EventSink;
  readonly defaultPort: number;
  readonly seeds: readonly string[];
  readonly forceDnsSeed: boolean;
  /** A proxy resolves names (Core's HaveNameProxy): each seed becomes an addr-fetch connection, no DNS query. */
  readonly nameProxy: boolean;
  readonly haveSeedNodes: boolean;
  getFullOutboundConnCount(): number;
  getNetworkActive(): boolean;
  addAddrFetch(dest: string): void;
  addressesAdded(): void;
  shuffle<T>(items: T[]): void;
}

// Core: net.cpp CConnman::ThreadDNSAddressSeed
export class DnsSeedThread {
  private stopped = false;
  private timer = 0;
  private seeds: string[] = [];
  private index = 0;
  private seedsRightNow = 0;
  private found = 0;
  private waitTime: Micros = 0;
  private toWait: Micros = 0;
  /** How it ended, for tests: 'skipped', 'peers-available', 'done'. */
  outcome: string | null = null;

  constructor(private readonly h: DnsSeedHost) {}

  start(): void {
    const now = this.h.clock.nowMicros();
    if (this.h.haveSeedNodes) {
      const start = now;
      this.h.log.logInfo(`-seednode enabled. Trying the provided seeds for ${SEEDNODE_TIMEOUT / S} seconds before defaulting to the dnsseeds.`);
      const poll = (): void => {
        const t = this.h.clock.nowMicros();
        if (t > start + SEEDNODE_TIMEOUT) {
          this.h.log.logInfo("Couldn't connect to enough peers via seed nodes. Handing fetch logic to the DNS seeds.");
          return this.afterSeedNodes(0);
        }
        const count = this.h.getFullOutboundConnCount();
        if (count >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
          this.h.log.logInfo('P2P peers available. Finished fetching data from seed nodes.');
          return this.afterSeedNodes(count);
        }
        this.sleep(HALF_SECOND, poll);
      };
      this.sleep(HALF_SECOND, poll);
    } else {
      this.afterSeedNodes(0);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== 0) this.h.scheduler.cancel(this.timer);
    this.timer = 0;
  }

  private sleep(d: Micros, fn: () => void): void {
    if (this.stopped) return;
    this.timer = this.h.scheduler.schedule(this.h.clock.nowMicros() + d, () => {
      this.timer = 0;
      if (!this.stopped) fn();
    });
  }

  private afterSeedNodes(outboundConnectionCount: number): void {
    this.seeds = this.h.seeds.slice();
    this.h.shuffle(this.seeds);
    const size = this.h.addrman.size();
    this.seedsRightNow = this.h.forceDnsSeed || size === 0 ? this.seeds.length : 0;
    if (outboundConnectionCount < SEED_OUTBOUND_CONNECTION_THRESHOLD || this.seedsRightNow > 0) {
      this.waitTime = size >= DNSSEEDS_DELAY_PEER_THRESHOLD ? DNSSEEDS_DELAY_MANY_PEERS : DNSSEEDS_DELAY_FEW_PEERS;
      this.index = 0;
      this.nextSeed();
    } else {
      this.h.log.logInfo('Skipping DNS seeds. Enough peers have been found');
      this.outcome = 'skipped';
    }
  }

  private nextSeed(): void {
    if (this.stopped) return;
    if (this.index >= this.seeds.length) {
      this.h.log.logInfo(`${this.found} addresses found from DNS seeds`);
      this.outcome = 'done';
      return;
    }
    if (this.seedsRightNow === 0) {
      this.seedsRightNow += DNSSEEDS_TO_QUERY_AT_ONCE;
      if (this.h.addrman.size() > 0) {
        this.h.log.logInfo(`Waiting ${this.waitTime / S} seconds before querying DNS seeds.`);
        this.toWait = this.waitTime;
        this.waitChunk();
        return;
      }
    }
    this.waitActiveThenQuery();
  }

  private waitChunk(): void {
    if (this.toWait <= 0) {
      this.waitActiveThenQuery();
      return;
    }
    const w = Math.min(DNSSEEDS_DELAY_FEW_PEERS, this.toWait);
    this.sleep(w, () => {
      this.toWait -= w;
      if (this.h.getFullOutboundConnCount() >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
        if (this.found > 0) {
          this.h.log.logInfo(`${this.found} addresses found from DNS seeds`);
          this.h.log.logInfo('P2P peers available. Finished DNS seeding.');
        } else {
          this.h.log.logInfo('P2P peers available. Skipped DNS seeding.');
        }
        this.outcome = 'peers-available';
        return;
      }
      this.waitChunk();
    });
  }

  private waitActiveThenQuery(logWaiting = true): void {
    if (!this.h.getNetworkActive()) {
      if (logWaiting) this.h.log.logInfo('Waiting for network to be reactivated before querying DNS seeds.');
      this.sleep(S, () => this.waitActiveThenQuery(false));
      return;
    }
    this.h.log.logInfo(`Loading addresses from DNS seed ${this.seeds[this.index]!}`);
    this.query(this.seeds[this.index]!);
    this.index++;
    this.seedsRightNow--;
    this.nextSeed();
  }

  private query(seed: string): void {
    if (this.h.nameProxy) {
      this.h.events.emit({ kind: 'dns-seed', seed, found: 0, fallback: true });
      this.h.addAddrFetch(seed);
      return;
    }
    const host = `x${SEEDS_SERVICE_FLAGS.toString(16)}.${seed}`;
    const source = NetAddr.internal(host);
    const ips = this.h.resolver.resolve(seed, DNS_SEED_MAX_IPS);
    if (ips.length > 0) {
      const nowS = Math.floor(this.h.clock.nowMicros() / S);
      const add: Address[] = [];
      for (const ip of ips.slice(0, DNS_SEED_MAX_IPS)) {
        // A random age between 3 and 7 days.
        const time = nowS - 3 * 24 * 3600 - this.h.rng.randrange(4 * 24 * 3600);
        add.push(new Address(Service.of(ip, this.h.defaultPort), SEEDS_ASSUMED_SERVICE_FLAGS, time));
        this.found++;
      }
      this.h.addrman.add(add, source);
      this.h.events.emit({ kind: 'dns-seed', seed, found: add.length, fallback: false });
      this.h.addressesAdded();
    } else {
      this.h.events.emit({ kind: 'dns-seed', seed, found: 0, fallback: true });
      this.h.addAddrFetch(seed);
    }
  }
}
