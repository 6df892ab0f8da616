// `connsim bridge`: puts a locally built bitcoind (regtest) into a small simulated world, paced in
// real time, through bridge/. Checks the arguments, runs the session, writes bridge.json (every
// figure) and report.md into the output directory and prints the report (or the JSON).

import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBitcoind, NodeArgsError } from '../bridge/bitcoind.ts';
import { bridgeReport } from '../bridge/report.ts';
import { runBridge } from '../bridge/session.ts';
import { parseDuration } from '../sim/time.ts';
import { CliError } from './user-error.ts';

export interface BridgeArgs {
  bitcoind?: string | undefined;
  seed: string;
  nodes: number;
  warmup: string;
  duration: string;
  seedAddresses: number;
  honestInbound: number;
  inboundSybils: number;
  floodAt: string;
  maxConnections?: number | undefined;
  inboundSource: string;
  bitcoindArg?: (string | number)[] | undefined;
  poll: string;
  out?: string | undefined;
  json: boolean;
  quiet: boolean;
}

function duration(name: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new CliError(`--${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function count(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new CliError(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

export async function bridgeCommand(a: BridgeArgs): Promise<number> {
  const bitcoind = a.bitcoind ?? findBitcoind();
  if (bitcoind === null) throw new CliError('no bitcoind: build it with tools/build-bitcoind.sh or pass --bitcoind <path>');
  try {
    accessSync(bitcoind, constants.X_OK);
  } catch {
    throw new CliError(`--bitcoind ${bitcoind}: not an executable file`);
  }
  if (a.inboundSource !== 'loopback' && a.inboundSource !== 'simulated') throw new CliError(`--inbound-source must be loopback or simulated, got "${a.inboundSource}"`);
  const out = a.out ?? join('runs', `bridge-${a.seed}`);
  let result;
  try {
    result = await runBridge({
      bitcoind,
      seed: a.seed,
      nodes: count('nodes', a.nodes, 2, 5000),
      warmupMicros: duration('warmup', a.warmup),
      durationMs: Math.round(duration('duration', a.duration) / 1000),
      seedAddresses: count('seed-addresses', a.seedAddresses, 0, 1000),
      honestInbound: count('honest-inbound', a.honestInbound, 0, 1000),
      inboundSybils: count('inbound-sybils', a.inboundSybils, 0, 10_000),
      floodAtMs: Math.round(duration('flood-at', a.floodAt) / 1000),
      ...(a.maxConnections !== undefined ? { maxConnections: count('max-connections', a.maxConnections, 12, 10_000) } : {}),
      inboundSource: a.inboundSource,
      extraArgs: (a.bitcoindArg ?? []).map(String),
      pollMs: Math.max(200, Math.round(duration('poll', a.poll) / 1000)),
      log: (l) => {
        if (!a.quiet) process.stderr.write(`bridge: ${l}\n`);
      },
    });
  } catch (e) {
    if (e instanceof NodeArgsError) throw new CliError(e.message);
    throw e;
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bridge.json'), `${JSON.stringify(result, null, 2)}\n`);
  const report = bridgeReport(result);
  writeFileSync(join(out, 'report.md'), report);
  process.stdout.write(a.json ? `${JSON.stringify(result)}\n` : `${report}\nwritten: ${join(out, 'report.md')}, ${join(out, 'bridge.json')}\n`);
  return 0;
}
