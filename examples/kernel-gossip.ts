// An example of a model built on the simulation kernel alone, and what `connsim demo` runs: a small
// gossip network built only from sim/ (kernel, random streams, distributions, network, trace), with
// no Bitcoin logic. Read it to see how the kernel, forked streams, distributions and the simulated
// network fit together before reading the port's host adapters (scenarios/host/). Hosts listen,
// keep a few outbound peers, ping them on exponential timers, drop peers that fall silent, flood
// rumours to everyone, and churn (crash or shut down, then come back). It shows the kernel working
// end to end and gives a digest that must be identical for identical inputs.
//
// It is not a model of Bitcoin's network: the real connection logic lives in connman/.

import {
  Kernel,
  Network,
  Rng,
  Trace,
  formatDuration,
  logNormal,
  millis,
  minutes,
  regionLatency,
  seconds,
  type HostId,
  type Micros,
  type SocketId,
  type TraceSink,
} from '../sim/index.ts';

export interface DemoOptions {
  /** Root seed (integer or any string). */
  seed: number | string;
  /** Number of hosts (>= 2). */
  hosts: number;
  /** Simulated duration. */
  durationMicros: Micros;
  /** Optional JSONL sink for the event trace (one line per event; large). */
  traceSink?: TraceSink;
}

/** The demo's result: plain data, printable key by key. */
export interface DemoSummary {
  seed: string;
  hosts: number;
  simulated: string;
  simulatedMicros: number;
  eventsProcessed: number;
  connectionsOpened: number;
  connectFailures: number;
  disconnects: number;
  messagesDelivered: number;
  messagesDropped: number;
  bytesDelivered: number;
  rumoursStarted: number;
  rumourCoverage: string;
  hostCrashes: number;
  digest: string;
}

const PORT = 8333;
const OUTBOUND_TARGET = 4;
const PING_MEAN = seconds(30);
const SILENCE_LIMIT = seconds(150);
const RUMOUR_MEAN = minutes(10);
const UPTIME_MEAN = minutes(40);
const DOWNTIME_MEAN = minutes(5);
const RETRY_DELAY = seconds(2);

// Payloads are plain numbers so that sending allocates nothing: rumours are ids >= 0.
const PING = -1;
const PONG = -2;
const PING_BYTES = 32;
const RUMOUR_BYTES = 250;

// One-way latency between four regions (ms), plus a log-normal jitter.
const REGION_MS = [
  [10, 45, 90, 140],
  [45, 10, 70, 120],
  [90, 70, 15, 60],
  [140, 120, 60, 20],
];

function ipv4(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** Runs the gossip demo and returns its summary. Same options, same summary (digest included). */
export function runDemo(options: DemoOptions): DemoSummary {
  const n = options.hosts;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`demo: hosts must be an integer >= 2, got ${n}`);
  if (!(options.durationMicros >= 0) || !Number.isSafeInteger(options.durationMicros)) {
    throw new RangeError(`demo: durationMicros must be a non-negative integer, got ${options.durationMicros}`);
  }
  const root = new Rng(options.seed);
  const kernel = new Kernel();
  const trace = new Trace(options.traceSink);
  trace.nameKinds((k) => kernel.kindName(k));
  trace.mixString(`demo hosts=${n}`);
  kernel.observe(trace);
  const jitter = logNormal(root.fork('latency'), { mu: Math.log(millis(2)), sigma: 0.8 });
  const net = new Network<number>(kernel, {
    latency: regionLatency(
      REGION_MS.map((row) => row.map((ms) => millis(ms))),
      jitter,
    ),
    rng: root.fork('network'),
    trace,
  });
  const rngs: Rng[] = [];
  const outbound: number[] = new Array<number>(n).fill(0);
  const fillPending: boolean[] = new Array<boolean>(n).fill(false);
  // Per socket (socket ids are global and never reused): last time anything arrived, and direction.
  const lastHeard: number[] = [];
  const isOutbound: boolean[] = [];
  // Per rumour: which hosts have seen it.
  const seen: Uint8Array[] = [];
  let rumourReach = 0;
  let connectFailures = 0;
  let disconnects = 0;
  let crashes = 0;

  const track = (s: SocketId, out: boolean) => {
    lastHeard[s] = kernel.now();
    isOutbound[s] = out;
  };
  const lostSocket = (h: HostId, s: SocketId) => {
    if (isOutbound[s]) {
      outbound[h]!--;
      scheduleFill(h, RETRY_DELAY);
    }
  };

  const fillKind = kernel.register((h) => {
    fillPending[h] = false;
    if (!net.isUp(h) || outbound[h]! >= OUTBOUND_TARGET) return;
    const rng = rngs[h]!;
    const target = rng.randrange(n - 1);
    const peer = target >= h ? target + 1 : target;
    const s = net.connect(h, { kind: 'ipv4', text: ipv4(peer) }, PORT);
    track(s, true);
    outbound[h]!++;
    if (outbound[h]! < OUTBOUND_TARGET) scheduleFill(h, RETRY_DELAY);
  }, 'demo.fill');
  function scheduleFill(h: HostId, delay: Micros): void {
    if (fillPending[h]) return;
    fillPending[h] = true;
    kernel.after(rngs[h]!.randExpDurationMicros(delay), fillKind, h);
  }

  const pingKind = kernel.register((h) => {
    kernel.after(rngs[h]!.randExpDurationMicros(PING_MEAN), pingKind, h);
    if (!net.isUp(h)) return;
    const now = kernel.now();
    for (const s of net.socketsOf(h)) {
      if (!net.isOpen(s)) continue;
      if (now - lastHeard[s]! > SILENCE_LIMIT) {
        // The peer fell silent (it may have crashed without a word): give up on it.
        disconnects++;
        net.close(s);
        lostSocket(h, s);
      } else {
        net.send(s, PING, PING_BYTES);
      }
    }
  }, 'demo.ping');

  const forward = (h: HostId, except: SocketId, id: number) => {
    for (const s of net.socketsOf(h)) if (s !== except && net.isOpen(s)) net.send(s, id, RUMOUR_BYTES);
  };
  const rumourKind = kernel.register((h) => {
    if (net.isUp(h)) {
      const id = seen.length;
      const mask = new Uint8Array(n);
      mask[h] = 1;
      seen.push(mask);
      rumourReach++;
      forward(h, -1, id);
    }
    kernel.after(rngs[h]!.randExpDurationMicros(RUMOUR_MEAN), rumourKind, h);
  }, 'demo.rumour');

  const upKind = kernel.register((h) => {
    net.setHostUp(h);
    net.listen(h, PORT);
    scheduleFill(h, millis(100));
    kernel.after(rngs[h]!.randExpDurationMicros(UPTIME_MEAN), downKind, h);
  }, 'demo.up');
  const downKind = kernel.register((h) => {
    crashes++;
    // Half the time a crash (peers notice only by silence), half a clean shutdown.
    net.setHostDown(h, rngs[h]!.randbool() ? 'none' : 'close');
    outbound[h] = 0;
    kernel.after(rngs[h]!.randExpDurationMicros(DOWNTIME_MEAN), upKind, h);
  }, 'demo.down');

  for (let h = 0; h < n; h++) {
    const rng = root.fork(`host/${h}`);
    rngs.push(rng);
    net.addHost({
      addresses: [{ kind: 'ipv4', text: ipv4(h) }],
      region: h % REGION_MS.length,
      uploadBytesPerSec: 125_000 * (1 + rng.randrange(80)), // 1 to 80 Mbit/s
      handlers: {
        onAccept: (s) => track(s, false),
        onConnect: (s) => {
          lastHeard[s] = kernel.now();
        },
        onConnectFailed: (s) => {
          connectFailures++;
          lostSocket(h, s);
        },
        onClose: (s) => {
          disconnects++;
          lostSocket(h, s);
        },
        onMessage: (s, payload) => {
          lastHeard[s] = kernel.now();
          if (payload === PING) net.send(s, PONG, PING_BYTES);
          else if (payload >= 0) {
            const mask = seen[payload]!;
            if (mask[h] === 0) {
              mask[h] = 1;
              rumourReach++;
              forward(h, s, payload);
            }
          }
        },
      },
    });
    net.listen(h, PORT);
  }
  for (let h = 0; h < n; h++) {
    const rng = rngs[h]!;
    kernel.at(rng.randrange(seconds(10)), fillKind, h);
    fillPending[h] = true;
    kernel.at(seconds(10) + rng.randExpDurationMicros(PING_MEAN), pingKind, h);
    kernel.at(rng.randExpDurationMicros(RUMOUR_MEAN), rumourKind, h);
    kernel.at(rng.randExpDurationMicros(UPTIME_MEAN), downKind, h);
  }

  kernel.run({ until: options.durationMicros });

  const stats = net.stats();
  const coverage = seen.length === 0 ? 0 : rumourReach / (seen.length * n);
  return {
    seed: String(options.seed),
    hosts: n,
    simulated: formatDuration(kernel.now()),
    simulatedMicros: kernel.now(),
    eventsProcessed: kernel.processed,
    connectionsOpened: stats.connectsSucceeded,
    connectFailures,
    disconnects,
    messagesDelivered: stats.messagesDelivered,
    messagesDropped: stats.messagesDropped,
    bytesDelivered: stats.bytesDelivered,
    rumoursStarted: seen.length,
    rumourCoverage: `${(100 * coverage).toFixed(1)}%`,
    hostCrashes: crashes,
    digest: trace.digest(),
  };
}
