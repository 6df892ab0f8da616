// The addresses an attacker advertises (in GETADDR answers and unsolicited ADDR / ADDRV2 floods),
// split into messages of at most MAX_ADDR_TO_SEND entries and built once: each message is kept
// and reused until its timestamps are older than the refresh interval, so a flood of thousands of
// messages allocates a handful of arrays, not one per send. It holds no connection logic.

import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import { addrMessage, addrV2Message, MAX_ADDR_TO_SEND, type AddrMessage } from '../../connman/protocol/messages.ts';
import { Address } from '../../connman/protocol/protocol.ts';
import type { Rng as SimRng } from '../../sim/index.ts';

export interface AddrBookOptions {
  /** The advertised addresses (each with `port`). */
  addresses: readonly NetAddr[];
  port: number;
  services: number;
  /** Entries per message, 1..MAX_ADDR_TO_SEND. */
  entriesPerMessage: number;
  /** Each entry's timestamp is now − age − uniform[0, jitter) seconds. */
  timestampAgeSeconds: number;
  timestampJitterSeconds: number;
  /** A message is rebuilt when its timestamps are this old (keeps "now" stamps fresh enough to be relayed). */
  refreshSeconds: number;
}

interface Built {
  atSeconds: number;
  v1: AddrMessage;
  v2: AddrMessage;
}

export class AddrBook {
  private readonly chunks: NetAddr[][] = [];
  private readonly built: (Built | undefined)[] = [];
  private cursor = 0;

  constructor(
    private readonly opts: AddrBookOptions,
    private readonly rng: SimRng,
  ) {
    const per = opts.entriesPerMessage;
    if (!Number.isInteger(per) || per < 1 || per > MAX_ADDR_TO_SEND) throw new RangeError(`entries per message must be in 1..${MAX_ADDR_TO_SEND}, got ${per}`);
    if (opts.addresses.length === 0) throw new RangeError('an addr book needs at least one address');
    // Messages cycle over the addresses; the last chunk wraps around so every message is full.
    const n = opts.addresses.length;
    const messages = Math.ceil(n / per);
    for (let m = 0; m < messages; m++) {
      const chunk: NetAddr[] = [];
      for (let j = 0; j < Math.min(per, n); j++) chunk.push(opts.addresses[(m * per + j) % n]!);
      this.chunks.push(chunk);
      this.built.push(undefined);
    }
  }

  get messageCount(): number {
    return this.chunks.length;
  }

  /** The next message in the cycle (both encodings), built or refreshed as needed. */
  next(nowSeconds: number): Built {
    const i = this.cursor;
    this.cursor = (this.cursor + 1) % this.chunks.length;
    return this.message(i, nowSeconds);
  }

  /** Message `i` of the cycle. */
  message(i: number, nowSeconds: number): Built {
    const b = this.built[i];
    if (b !== undefined && nowSeconds - b.atSeconds < this.opts.refreshSeconds) return b;
    const o = this.opts;
    const list = this.chunks[i]!.map((a) => {
      const jitter = o.timestampJitterSeconds > 0 ? Math.floor(this.rng.random() * o.timestampJitterSeconds) : 0;
      return new Address(a.withPort(o.port), o.services, Math.max(0, nowSeconds - o.timestampAgeSeconds - jitter));
    });
    const fresh: Built = { atSeconds: nowSeconds, v1: addrMessage(list), v2: addrV2Message(list) };
    this.built[i] = fresh;
    return fresh;
  }
}
