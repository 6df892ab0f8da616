// Starting a real bitcoind for a bridge run, and only one that cannot leave the machine: the
// command line connsim builds (safeNodeArgs), the check every command line passes before the node
// is started (checkNodeArgs, also over the user's extra arguments), the process itself (start,
// wait for RPC, stop), and where the binary is found (the build cache of tools/build-bitcoind.sh).
//
// "Nothing leaves the machine": every outbound connection goes through the bridge's SOCKS5 proxy
// (-proxy for IPv4/IPv6/names, and -onion, both the bridge's), no DNS seeds, no fixed seeds, no
// address discovery, no NAT-PMP/PCP, no Tor control, no I2P SAM and no CJDNS, listening and RPC on
// loopback only, and a fresh datadir so no bitcoin.conf can change any of it. (This Core has no
// -upnp option any more: UPnP support was removed in v29, and an unknown option stops bitcoind.)

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from './rpc.ts';

/** Where tools/build-bitcoind.sh caches the build (override: CONNSIM_BITCOIN_BUILD). */
export function defaultBuildDir(): string {
  return process.env.CONNSIM_BITCOIN_BUILD ?? join(homedir(), '.cache', 'connsim', 'build', 'bitcoin-core-58a7869f');
}

/** The cached bitcoind, or null when it was not built. */
export function findBitcoind(): string | null {
  const p = join(defaultBuildDir(), 'build', 'bin', 'bitcoind');
  return existsSync(p) ? p : null;
}

export interface NodePorts {
  /** The bridge's SOCKS5 port on 127.0.0.1. */
  socksPort: number;
  /** The node's P2P port on 127.0.0.1. */
  p2pPort: number;
  rpcPort: number;
}

/** The command line connsim starts a regtest bitcoind with (before the user's extra arguments). */
export function safeNodeArgs(datadir: string, ports: NodePorts, o: { maxConnections?: number } = {}): string[] {
  const proxy = `127.0.0.1:${ports.socksPort}`;
  return [
    '-regtest',
    `-datadir=${datadir}`,
    '-server=1',
    '-rpcbind=127.0.0.1',
    '-rpcallowip=127.0.0.1',
    `-rpcport=${ports.rpcPort}`,
    '-listen=1',
    `-bind=127.0.0.1:${ports.p2pPort}`,
    `-proxy=${proxy}`,
    `-onion=${proxy}`,
    '-dnsseed=0',
    '-fixedseeds=0',
    '-forcednsseed=0',
    '-discover=0',
    '-natpmp=0',
    '-listenonion=0',
    '-dns=0',
    '-cjdnsreachable=0',
    // v1 is what the bridge speaks; Core falls back to v1 with peers that do not offer NODE_P2P_V2 anyway.
    '-v2transport=0',
    ...(o.maxConnections !== undefined ? [`-maxconnections=${o.maxConnections}`] : []),
    '-debug=net',
    '-logips=1',
    '-printtoconsole=0',
  ];
}

/** Core's command-line parsing of the options the check reads: -name=value, -noname (= 0), -name (= 1). */
function parseArgs(args: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of args) {
    if (!a.startsWith('-')) continue;
    let body = a.replace(/^-+/, '');
    let value = '1';
    const eq = body.indexOf('=');
    if (eq >= 0) {
      value = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    if (body.startsWith('no') && eq < 0) {
      body = body.slice(2);
      value = '0';
    }
    const list = out.get(body) ?? [];
    list.push(value);
    out.set(body, list);
  }
  return out;
}

const isLoopbackHost = (h: string): boolean => /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1' || h === '[::1]';

function hostOf(endpoint: string): string {
  if (endpoint.startsWith('[')) return endpoint.slice(0, endpoint.indexOf(']') + 1);
  const i = endpoint.lastIndexOf(':');
  return i >= 0 && endpoint.indexOf(':') === i ? endpoint.slice(0, i) : endpoint;
}

/**
 * Why a bitcoind command line could send a packet beyond loopback (one line), or null when it
 * cannot. Single-valued options take their last value, as Core's command line does.
 */
export function checkNodeArgs(args: readonly string[], socksPort: number): string | null {
  const m = parseArgs(args);
  const last = (k: string): string | undefined => m.get(k)?.at(-1);
  const off = (k: string, why: string): string | null => (last(k) === '0' ? null : `-${k}=${last(k) ?? '(default)'} ${why}; it must be -${k}=0`);
  const regtest = last('regtest') === '1' || last('chain') === 'regtest';
  if (!regtest) return 'the node must run -regtest (the bridge speaks the regtest magic and answers a regtest chain)';
  for (const k of ['conf', 'includeconf', 'i2psam', 'externalip', 'torcontrol', 'upnp']) {
    if (m.has(k)) return `-${k} is not allowed: ${k === 'conf' || k === 'includeconf' ? 'a config file could override the safe settings' : 'it lets the node reach or announce beyond the bridge'}`;
  }
  const checks: [string, string][] = [
    ['dnsseed', 'would query DNS seeds'],
    ['fixedseeds', 'would add the chain\'s fixed seeds'],
    ['discover', 'would discover and announce its own addresses'],
    ['natpmp', 'would map a port on the router'],
    ['listenonion', 'would talk to a Tor control port'],
    ['dns', 'would resolve names itself'],
    ['cjdnsreachable', 'would connect to fc00::/8 directly, not through the proxy'],
  ];
  for (const [k, why] of checks) {
    const problem = off(k, why);
    if (problem !== null) return problem;
  }
  if (last('forcednsseed') === '1') return '-forcednsseed=1 would query DNS seeds';
  const proxy = `127.0.0.1:${socksPort}`;
  const proxies = m.get('proxy') ?? [];
  if (proxies.length === 0 || proxies.some((p) => p !== proxy)) return `every -proxy must be the bridge's ${proxy} for all networks (got ${proxies.length === 0 ? 'none' : proxies.join(', ')}): outbound connections would bypass it`;
  const onion = last('onion');
  if (onion !== undefined && onion !== proxy && onion !== '0') return `-onion=${onion} is not the bridge's proxy ${proxy}`;
  if (last('listen') !== '0') {
    const binds = [...(m.get('bind') ?? []), ...(m.get('whitebind') ?? [])].map((b) => b.replace(/^[a-z,]+@/, ''));
    if (binds.length === 0) return '-listen without -bind listens on every interface; bind it to 127.0.0.1';
    const bad = binds.find((b) => !isLoopbackHost(hostOf(b.replace(/=onion$/, ''))));
    if (bad !== undefined) return `-bind=${bad} is not a loopback address`;
  }
  if (last('server') === '1' || m.has('rpcbind')) {
    const rpcBinds = m.get('rpcbind') ?? [];
    const bad = rpcBinds.find((b) => !isLoopbackHost(hostOf(b)));
    if (bad !== undefined) return `-rpcbind=${bad} is not a loopback address`;
    const allow = (m.get('rpcallowip') ?? []).find((a) => !isLoopbackHost(a.replace(/\/.*$/, '')));
    if (allow !== undefined) return `-rpcallowip=${allow} opens RPC beyond loopback`;
  }
  return null;
}

export class NodeArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeArgsError';
  }
}

/** A bitcoind connsim started, with its RPC client. */
export class BitcoindProcess {
  readonly rpc: RpcClient;
  private exited: { code: number | null; signal: string | null } | null = null;
  private readonly stderr: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly datadir: string,
    readonly ports: NodePorts,
    private readonly ownsDatadir: boolean,
  ) {
    this.rpc = new RpcClient('127.0.0.1', ports.rpcPort, () => readCookie(datadir));
    child.on('exit', (code, signal) => (this.exited = { code, signal }));
    child.on('error', (e) => {
      this.stderr.push(e.message);
      this.exited = { code: null, signal: null };
    });
    child.stderr?.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  /**
   * Starts `binary` with the safe command line plus `extraArgs`; refuses (NodeArgsError, one line)
   * a command line checkNodeArgs rejects. The datadir is a fresh temporary one unless given.
   */
  static start(binary: string, ports: NodePorts, o: { extraArgs?: readonly string[]; maxConnections?: number; datadir?: string } = {}): BitcoindProcess {
    const datadir = o.datadir ?? mkdtempSync(join(tmpdir(), 'connsim-bitcoind-'));
    const args = [...safeNodeArgs(datadir, ports, o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}), ...(o.extraArgs ?? [])];
    const problem = checkNodeArgs(args, ports.socksPort);
    if (problem !== null) throw new NodeArgsError(`refusing to start bitcoind: ${problem}`);
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return new BitcoindProcess(child, datadir, ports, o.datadir === undefined);
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  exitDetail(): string {
    const e = this.exited;
    return e === null ? 'running' : `exited (code ${e.code}, signal ${e.signal})${this.stderr.length > 0 ? `: ${this.stderr.join('').trim().split('\n').at(-1)}` : ''}`;
  }

  /** Polls RPC until the node answers (it warms up first); rejects when it exits or after `timeoutMs`. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const start = Date.now();
    for (;;) {
      if (this.hasExited) throw new Error(`bitcoind ${this.exitDetail()}`);
      try {
        await this.rpc.call('getnetworkinfo');
        return;
      } catch (e) {
        if (Date.now() - start > timeoutMs) throw new Error(`bitcoind did not answer RPC within ${timeoutMs} ms: ${e instanceof Error ? e.message : String(e)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The node's debug.log so far. */
  debugLog(): string {
    try {
      return readFileSync(join(this.datadir, 'regtest', 'debug.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the node (RPC stop, then SIGTERM, then SIGKILL) and removes a datadir it created (unless `keepDatadir`). */
  async stop(o: { keepDatadir?: boolean } = {}): Promise<void> {
    if (!this.hasExited) {
      try {
        await this.rpc.call('stop');
      } catch {
        this.child.kill('SIGTERM');
      }
      const deadline = Date.now() + 20_000;
      while (!this.hasExited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!this.hasExited) this.child.kill('SIGKILL');
    }
    if (this.ownsDatadir && o.keepDatadir !== true) rmSync(this.datadir, { recursive: true, force: true });
  }
}

function readCookie(datadir: string): string {
  return readFileSync(join(datadir, 'regtest', '.cookie'), 'utf8').trim();
}
