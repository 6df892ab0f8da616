// Tests of the inactivity rules (Core's CConnman::InactivityCheck, the ping timeout of
// PeerManagerImpl::MaybeSendPing) and of the deadline functions the Connman arms timers with.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PEER_CONNECT_TIMEOUT,
  TIMEOUT_INTERVAL,
  inactivityCheck,
  inactivityChecksStartMicros,
  nextInactivityDeadline,
  nextPingTimeoutDeadline,
  pingTimeoutCheck,
  shouldRunInactivityChecks,
  type InactivityState,
  type PingState,
} from './inactivity.ts';
import { FastRandomContext } from '../util/random.ts';

const S = 1_000_000;
const MIN = 60 * S;
const T0 = 1_700_000_000 * S; // a realistic node-clock origin, far from the epoch
const TIMEOUT = DEFAULT_PEER_CONNECT_TIMEOUT;

function state(over: Partial<InactivityState> = {}): InactivityState {
  return {
    connectedMicros: T0,
    lastSendMicros: T0 + 1 * S,
    lastRecvMicros: T0 + 2 * S,
    successfullyConnected: true,
    transportDetecting: false,
    ...over,
  };
}

describe('constants', () => {
  it("match Core's net.h", () => {
    expect(TIMEOUT_INTERVAL).toBe(20 * MIN);
    expect(DEFAULT_PEER_CONNECT_TIMEOUT).toBe(60);
  });
});

describe('ShouldRunInactivityChecks', () => {
  it('is strict: false at exactly m_connected + timeout, true one microsecond later', () => {
    const n = state();
    expect(shouldRunInactivityChecks(n, T0, TIMEOUT)).toBe(false);
    expect(shouldRunInactivityChecks(n, T0 + 60 * S, TIMEOUT)).toBe(false);
    expect(shouldRunInactivityChecks(n, T0 + 60 * S + 1, TIMEOUT)).toBe(true);
    expect(inactivityChecksStartMicros(n, TIMEOUT)).toBe(T0 + 60 * S + 1);
  });

  it('honours a large -peertimeout (how Core tests disable the checks)', () => {
    expect(shouldRunInactivityChecks(state(), T0 + 10 * 24 * 3600 * S, 999_999_999)).toBe(false);
  });
});

describe('InactivityCheck', () => {
  it('does nothing during the grace period, whatever the state', () => {
    const n = state({ lastSendMicros: 0, lastRecvMicros: 0, successfullyConnected: false });
    expect(inactivityCheck(n, T0 + 60 * S, TIMEOUT)).toBeNull();
  });

  it('socket no message: never received, or never sent', () => {
    const after = T0 + 61 * S;
    expect(inactivityCheck(state({ lastRecvMicros: 0 }), after, TIMEOUT)).toBe('socket-no-message');
    expect(inactivityCheck(state({ lastSendMicros: 0 }), after, TIMEOUT)).toBe('socket-no-message');
    expect(inactivityCheck(state({ lastSendMicros: 0, lastRecvMicros: 0 }), after, TIMEOUT)).toBe('socket-no-message');
    // It takes precedence over the handshake rule.
    expect(inactivityCheck(state({ lastRecvMicros: 0, successfullyConnected: false }), after, TIMEOUT)).toBe(
      'socket-no-message',
    );
  });

  it('send timeout: strictly more than 20 minutes since the last send', () => {
    const n = state({ lastSendMicros: T0 + 5 * S, lastRecvMicros: T0 + 30 * MIN });
    expect(inactivityCheck(n, T0 + 5 * S + 20 * MIN, TIMEOUT)).toBeNull();
    expect(inactivityCheck(n, T0 + 5 * S + 20 * MIN + 1, TIMEOUT)).toBe('socket-send-timeout');
  });

  it('receive timeout: strictly more than 20 minutes since the last receive', () => {
    const n = state({ lastSendMicros: T0 + 30 * MIN, lastRecvMicros: T0 + 5 * S });
    expect(inactivityCheck(n, T0 + 5 * S + 20 * MIN, TIMEOUT)).toBeNull();
    expect(inactivityCheck(n, T0 + 5 * S + 20 * MIN + 1, TIMEOUT)).toBe('socket-receive-timeout');
  });

  it('the send timeout is reported before the receive timeout', () => {
    const n = state({ lastSendMicros: T0 + 10 * S, lastRecvMicros: T0 + 5 * S });
    expect(inactivityCheck(n, T0 + 40 * MIN, TIMEOUT)).toBe('socket-send-timeout');
  });

  it('handshake timeout: no VERACK after the grace period, v1/v2 detection distinguished', () => {
    const after = T0 + 61 * S;
    expect(inactivityCheck(state({ successfullyConnected: false }), after, TIMEOUT)).toBe('version-handshake-timeout');
    expect(inactivityCheck(state({ successfullyConnected: false, transportDetecting: true }), after, TIMEOUT)).toBe(
      'v2-handshake-timeout',
    );
    // At exactly the end of the grace period nothing fires yet.
    expect(inactivityCheck(state({ successfullyConnected: false }), T0 + 60 * S, TIMEOUT)).toBeNull();
  });

  it('an active, handshaken connection is kept', () => {
    const n = state({ lastSendMicros: T0 + 10 * MIN, lastRecvMicros: T0 + 11 * MIN });
    expect(inactivityCheck(n, T0 + 29 * MIN, TIMEOUT)).toBeNull();
  });
});

describe('ping timeout (MaybeSendPing)', () => {
  const node = { connectedMicros: T0 };
  it('fires strictly more than 20 minutes after the outstanding ping was queued', () => {
    const ping: PingState = { pingOutstanding: true, pingStartMicros: T0 + 2 * MIN };
    expect(pingTimeoutCheck(node, ping, T0 + 22 * MIN, TIMEOUT)).toBeNull();
    expect(pingTimeoutCheck(node, ping, T0 + 22 * MIN + 1, TIMEOUT)).toBe('ping-timeout');
  });
  it('never fires without an outstanding ping', () => {
    const ping: PingState = { pingOutstanding: false, pingStartMicros: T0 };
    expect(pingTimeoutCheck(node, ping, T0 + 1000 * MIN, TIMEOUT)).toBeNull();
    expect(nextPingTimeoutDeadline(node, ping, TIMEOUT)).toBeNull();
  });
  it('also waits for the grace period after connecting', () => {
    const ping: PingState = { pingOutstanding: true, pingStartMicros: 0 };
    expect(pingTimeoutCheck(node, ping, T0 + 60 * S, TIMEOUT)).toBeNull();
    expect(pingTimeoutCheck(node, ping, T0 + 60 * S + 1, TIMEOUT)).toBe('ping-timeout');
    expect(nextPingTimeoutDeadline(node, ping, TIMEOUT)).toBe(T0 + 60 * S + 1);
  });
});

describe('deadlines are consistent with the checks', () => {
  // Random states around the interesting boundaries; the deadline d must satisfy:
  // check(d - 1) === null, check(d) !== null, check(later) !== null (monotone).
  const rng = new FastRandomContext(new Uint8Array(32).fill(7));
  const pick = (values: number[]): number => values[rng.randrange(values.length)]!;

  function randomState(): { node: InactivityState; timeout: number } {
    const timeout = pick([1, 5, 60, 60, 3600, 999_999]);
    const connected = T0 + rng.randrange(1000) * S + rng.randrange(1_000_000);
    const around = (): number => {
      switch (rng.randrange(5)) {
        case 0:
          return 0; // never
        case 1:
          return connected + rng.randrange(1_000_000); // right after connecting
        case 2:
          return connected + timeout * S + rng.randrange(3) - 1; // at the grace boundary
        default:
          return connected + rng.randrange(40 * 60) * S + rng.randrange(1_000_000);
      }
    };
    return {
      node: {
        connectedMicros: connected,
        lastSendMicros: around(),
        lastRecvMicros: around(),
        successfullyConnected: rng.randrange(4) !== 0,
        transportDetecting: rng.randbool(),
      },
      timeout,
    };
  }

  it('InactivityCheck: null just before nextInactivityDeadline, a reason at and after it', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const { node, timeout } = randomState();
      const d = nextInactivityDeadline(node, timeout);
      expect(inactivityCheck(node, d - 1, timeout), JSON.stringify({ node, timeout, d })).toBeNull();
      const atD = inactivityCheck(node, d, timeout);
      expect(atD, JSON.stringify({ node, timeout, d })).not.toBeNull();
      seen.add(atD!);
      for (const later of [1, rng.randrange(1000), rng.randrange(100 * MIN), 365 * 24 * 60 * MIN]) {
        expect(inactivityCheck(node, d + later, timeout)).not.toBeNull();
      }
      // Nothing fires at a random earlier instant either.
      if (d > node.connectedMicros) {
        const earlier = node.connectedMicros + rng.randrange(Math.min(d - node.connectedMicros, 2 ** 32));
        expect(inactivityCheck(node, earlier, timeout)).toBeNull();
      }
    }
    // The random states reached every rule.
    expect([...seen].sort()).toEqual([
      'socket-no-message',
      'socket-receive-timeout',
      'socket-send-timeout',
      'v2-handshake-timeout',
      'version-handshake-timeout',
    ]);
  });

  it('ping timeout: null just before nextPingTimeoutDeadline, "ping-timeout" at and after it', () => {
    for (let i = 0; i < 20_000; i++) {
      const { node, timeout } = randomState();
      const ping: PingState = {
        pingOutstanding: rng.randrange(5) !== 0,
        pingStartMicros: node.connectedMicros + rng.randrange(60 * 60) * S - rng.randrange(2) * 30 * MIN,
      };
      const d = nextPingTimeoutDeadline(node, ping, timeout);
      if (d === null) {
        expect(ping.pingOutstanding).toBe(false);
        expect(pingTimeoutCheck(node, ping, node.connectedMicros + 1000 * 24 * 60 * MIN, timeout)).toBeNull();
        continue;
      }
      expect(pingTimeoutCheck(node, ping, d - 1, timeout)).toBeNull();
      expect(pingTimeoutCheck(node, ping, d, timeout)).toBe('ping-timeout');
      expect(pingTimeoutCheck(node, ping, d + rng.randrange(100 * MIN), timeout)).toBe('ping-timeout');
    }
  });

  it('activity only postpones the deadline', () => {
    for (let i = 0; i < 5_000; i++) {
      const { node, timeout } = randomState();
      const d = nextInactivityDeadline(node, timeout);
      const bump = rng.randrange(30 * MIN);
      const later: InactivityState = {
        ...node,
        lastSendMicros: Math.max(node.lastSendMicros, node.connectedMicros + bump),
        lastRecvMicros: Math.max(node.lastRecvMicros, node.connectedMicros + rng.randrange(30 * MIN)),
        successfullyConnected: node.successfullyConnected || rng.randbool(),
      };
      expect(nextInactivityDeadline(later, timeout)).toBeGreaterThanOrEqual(d);
    }
  });
});
