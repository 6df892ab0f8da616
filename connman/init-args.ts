// Core's command-line and bitcoin.conf handling for the connection layer: the ArgsManager's
// precedence (command line over bitcoin.conf, the last value within a source, -noX negation, list
// settings merged), InitParameterInteraction's soft-set rules (-bind → -listen=1; -connect →
// -dnsseed=0, -listen=0; -proxy → -listen=0, -discover=0; -externalip → -discover=0; ...), and the
// AppInitParameterInteraction / AppInitMain checks that fail with Core's init errors (InitError,
// init.ts). The result is ConnmanOptions plus the few settings a host needs (the proxies, -mocktime).
// It knows only the options the port models; any other name is refused as Core refuses an unknown
// one ("Invalid parameter"). It does not read files: the caller hands in bitcoin.conf's lines.

import { InitError, resolveNodeOptions } from './init.ts';
import { defaultConnmanOptions, type BindSpec, type ConnmanOptions } from './net/options.ts';
import { parseByteUnits } from './net/upload-target.ts';
import { NetPermissionFlags, type NetWhitelistPermissions } from './protocol/net-permissions.ts';
import { parseService, NET_CJDNS, NET_I2P, NET_INTERNAL, NET_IPV4, NET_IPV6, NET_ONION, NET_UNROUTABLE, Service, type Network } from './protocol/netaddress.ts';
import { parseNetwork } from './protocol/netbase.ts';
import { NODE_BLOOM } from './protocol/protocol.ts';
import { lookupSubNet } from './protocol/subnet.ts';
import type { ChainName } from './addrman/addrdb.ts';
import { DEFAULT_USER_AGENT } from './protocol/messages.ts';

/** Core: chainparams (GetDefaultPort) for the chains the port knows. */
const DEFAULT_PORTS: Readonly<Record<ChainName, number>> = { main: 8333, test: 18333, testnet4: 48333, signet: 38333, regtest: 18444 };
/** Core: netbase.h DEFAULT_TOR_SOCKS_PORT */
const DEFAULT_TOR_SOCKS_PORT = 9050;
/** Core: init.cpp DEFAULT_LISTEN */
const DEFAULT_LISTEN = true;

/** Settings whose values accumulate (Core's GetArgs); the others keep one value (GetArg). */
const LIST_ARGS = new Set(['bind', 'whitebind', 'whitelist', 'connect', 'seednode', 'addnode', 'externalip', 'onlynet', 'proxy', 'debug', 'debugexclude', 'test', 'uacomment']);

/** Every option this parser understands (Core's registered names, the subset the port models or accepts and ignores). */
const KNOWN_ARGS = new Set([
  ...LIST_ARGS,
  'regtest', 'chain', 'port', 'listen', 'discover', 'dnsseed', 'forcednsseed', 'fixedseeds', 'listenonion', 'peertimeout',
  'maxconnections', 'inboundrelaypercent', 'onion', 'cjdnsreachable', 'i2psam', 'maxuploadtarget', 'bantime', 'peerbloomfilters',
  'blocksonly', 'networkactive', 'mocktime', 'checkaddrman', 'whitelistrelay', 'whitelistforcerelay', 'timeout', 'v2transport',
  'minrelaytxfee', 'natpmp', 'server', 'printtoconsole', 'logtimemicros', 'logthreadnames', 'logsourcelocations', 'loglevel',
  'nologratelimit', 'shrinkdebugfile', 'datadir', 'disablewallet', 'keypool', 'fallbackfee', 'rpcport', 'rpcthreads',
  'rpcservertimeout', 'rpcdoccheck', 'unsafesqlitesync', 'par', 'prevoutfetchthreads', 'dns', 'logips', 'maxtimeadjustment',
]);

/** One source of settings, lowest priority first when merged (Core: the config file, then the command line). */
interface Setting {
  readonly name: string;
  /** The value as given; null for a negation (-noX, or X=0 of a list). */
  readonly value: string | null;
}

/** Core's ArgsManager over two sources: bitcoin.conf lines (lower priority) and the command line. */
// Core: common/args.cpp ArgsManager (GetArg, GetArgs, GetBoolArg, IsArgSet, IsArgNegated, SoftSetArg)
export class ArgsManager {
  private readonly sources: Setting[][] = [[], []];
  private readonly forced = new Map<string, string>();

  /** `conf`: bitcoin.conf's `name=value` lines; `cmdline`: `-name[=value]` / `-noname` arguments. */
  constructor(conf: readonly string[], cmdline: readonly string[]) {
    for (const line of conf) {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || t.startsWith('[')) continue;
      this.add(0, t.includes('=') ? t : `${t}=1`);
    }
    for (const a of cmdline) {
      if (!a.startsWith('-')) throw new InitError(`Error parsing command line arguments: Invalid parameter ${a}`);
      this.add(1, a.replace(/^-+/, ''));
    }
  }

  private add(source: number, text: string): void {
    const eq = text.indexOf('=');
    let name = eq < 0 ? text : text.slice(0, eq);
    let value: string | null = eq < 0 ? '' : text.slice(eq + 1);
    // Core's -noX: a negation, with "=0" meaning "not negated" (rare, kept as Core: InterpretBool).
    if (name.startsWith('no') && !KNOWN_ARGS.has(name) && KNOWN_ARGS.has(name.slice(2))) {
      name = name.slice(2);
      value = value === '' || interpretBool(value) ? null : '1';
    } else if (LIST_ARGS.has(name) && value === '0') {
      value = null;
    }
    if (!KNOWN_ARGS.has(name)) throw new InitError(`Error parsing command line arguments: Invalid parameter -${name}`);
    this.sources[source]!.push({ name, value });
  }

  /** The highest-priority value (the last in that source), or undefined when unset. */
  private single(name: string): string | null | undefined {
    const f = this.forced.get(name);
    if (f !== undefined) return f;
    for (let s = this.sources.length - 1; s >= 0; s--) {
      const hits = this.sources[s]!.filter((x) => x.name === name);
      if (hits.length > 0) return hits[hits.length - 1]!.value;
    }
    return undefined;
  }

  // Core: common/args.cpp ArgsManager::IsArgSet
  isArgSet(name: string): boolean {
    return this.single(name) !== undefined;
  }

  // Core: common/args.cpp ArgsManager::IsArgNegated
  isArgNegated(name: string): boolean {
    return this.single(name) === null;
  }

  // Core: common/args.cpp ArgsManager::GetArg
  getArg(name: string, def: string): string {
    const v = this.single(name);
    return v === undefined ? def : v === null ? '0' : v;
  }

  // Core: common/args.cpp ArgsManager::GetIntArg
  getIntArg(name: string, def: number): number {
    const v = this.single(name);
    if (v === undefined) return def;
    if (v === null) return 0;
    return parseIntLikeAtoi(v);
  }

  // Core: common/args.cpp ArgsManager::GetBoolArg
  getBoolArg(name: string, def: boolean): boolean {
    const v = this.single(name);
    if (v === undefined) return def;
    if (v === null) return false;
    return interpretBool(v);
  }

  /** List values, command line first; a negation stops the lower-priority sources. */
  // Core: common/args.cpp ArgsManager::GetArgs (common/settings.cpp GetSettingsList)
  getArgs(name: string): string[] {
    const out: string[] = [];
    for (let s = this.sources.length - 1; s >= 0; s--) {
      const hits = this.sources[s]!.filter((x) => x.name === name);
      // A negation discards what came before it in this source and every lower-priority source.
      const lastNeg = hits.map((h) => h.value).lastIndexOf(null);
      for (const h of hits.slice(lastNeg + 1)) out.push(h.value!);
      if (lastNeg >= 0) break;
    }
    return out;
  }

  /** Sets a value unless the user set one; true if it was set. */
  // Core: common/args.cpp ArgsManager::SoftSetArg / SoftSetBoolArg
  softSetBoolArg(name: string, value: boolean): boolean {
    if (this.isArgSet(name)) return false;
    this.forced.set(name, value ? '1' : '0');
    return true;
  }
}

// Core: util/strencodings.h LocaleIndependentAtoi (leading whitespace, sign, digits; 0 on garbage)
function parseIntLikeAtoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

// Core: common/args.cpp InterpretBool
function interpretBool(v: string): boolean {
  return v === '' ? true : parseIntLikeAtoi(v) !== 0;
}

/** What a host needs beyond ConnmanOptions: the proxies (connections go through them) and -mocktime. */
export interface NodeArgs {
  readonly options: ConnmanOptions;
  /** -proxy (ipv4 / ipv6 / name proxy), as "host:port"; null when none. */
  readonly proxy: Service | null;
  /** The proxy for .onion (-onion, else -proxy); null when none. */
  readonly onionProxy: Service | null;
  /** -mocktime: the node clock starts frozen at this Unix time. */
  readonly mocktime: number | null;
  /** -debug categories (empty: none; '1' or 'all': every one). */
  readonly debug: readonly string[];
  readonly debugExclude: readonly string[];
  /** -test=addrman: a deterministic AddrMan (key uint256{1}). */
  readonly deterministicAddrman: boolean;
  /** -checkaddrman: AddrMan's consistency-check ratio. */
  readonly checkAddrman: number;
}

/** A numeric "host[:port]" (Core's Lookup without name resolution), or null when it does not parse. */
function hostPort(text: string, defaultPort: number): Service | null {
  const r = parseService(text, defaultPort);
  return r.ok ? r.value : null;
}

function resolveErrMsg(option: string, value: string): string {
  return `Cannot resolve -${option} address: '${value}'`;
}

/** "perm1,perm2@rest": the flags (Implicit when there is no '@') and what follows. */
// Core: net_permissions.cpp TryParsePermissionFlags
function parsePermissions(str: string, allowOut: boolean): { flags: number; rest: string; outbound: boolean; inbound: boolean } {
  const at = str.indexOf('@');
  if (at < 0) return { flags: NetPermissionFlags.Implicit, rest: str, outbound: false, inbound: true };
  let flags = 0;
  let dirIn = false;
  let dirOut = false;
  for (const p of str.slice(0, at).split(',')) {
    if (p === 'bloomfilter' || p === 'bloom') flags |= NetPermissionFlags.BloomFilter;
    else if (p === 'noban') flags |= NetPermissionFlags.NoBan;
    else if (p === 'forcerelay') flags |= NetPermissionFlags.ForceRelay;
    else if (p === 'mempool') flags |= NetPermissionFlags.Mempool;
    else if (p === 'download') flags |= NetPermissionFlags.Download;
    else if (p === 'all') flags |= NetPermissionFlags.BloomFilter | NetPermissionFlags.ForceRelay | NetPermissionFlags.NoBan | NetPermissionFlags.Mempool | NetPermissionFlags.Addr;
    else if (p === 'relay') flags |= NetPermissionFlags.Relay;
    else if (p === 'addr') flags |= NetPermissionFlags.Addr;
    else if (p === 'in') dirIn = true;
    else if (p === 'out') {
      if (!allowOut) throw new InitError('whitebind may only be used for incoming connections ("out" was passed)');
      dirOut = true;
    } else if (p !== '') throw new InitError(`Invalid P2P permission: '${p}'`);
  }
  if (!dirIn && !dirOut) dirIn = true;
  else if (flags === 0) throw new InitError(`Only direction was set, no permissions: '${str}'`);
  return { flags: flags >>> 0, rest: str.slice(at + 1), outbound: dirOut, inbound: dirIn };
}

/**
 * Parses a node's arguments as bitcoind would: bitcoin.conf lines, then the command line, with
 * Core's soft-set rules and init errors. `base` supplies options the arguments do not cover (a
 * study's switches); the result is resolved and checked by resolveNodeOptions.
 */
// Core: init.cpp InitParameterInteraction, AppInitParameterInteraction, AppInitMain (the net options)
export function parseNodeArgs(conf: readonly string[], cmdline: readonly string[], base: Partial<ConnmanOptions> = {}): NodeArgs {
  const args = new ArgsManager(conf, cmdline);
  const chain: ChainName = args.getBoolArg('regtest', false) ? 'regtest' : ((args.getArg('chain', base.chain ?? 'main') as ChainName));
  if (!(chain in DEFAULT_PORTS)) throw new InitError(`Invalid chain type: ${chain}`);
  const defaultPort = DEFAULT_PORTS[chain];

  // InitParameterInteraction
  if (args.getArgs('bind').length > 0) args.softSetBoolArg('listen', true);
  if (args.getArgs('whitebind').length > 0) args.softSetBoolArg('listen', true);
  if (args.getArgs('connect').length > 0 || args.isArgNegated('connect') || args.getIntArg('maxconnections', 200) <= 0) {
    args.softSetBoolArg('dnsseed', false);
    args.softSetBoolArg('listen', false);
  }
  const proxyArg = args.getArgs('proxy');
  if (proxyArg.length > 0 && proxyArg[0] !== '' && proxyArg[0] !== '0') {
    args.softSetBoolArg('listen', false);
    args.softSetBoolArg('discover', false);
  }
  if (!args.getBoolArg('listen', DEFAULT_LISTEN)) {
    args.softSetBoolArg('discover', false);
    args.softSetBoolArg('listenonion', false);
  }
  if (args.getArgs('externalip').length > 0) args.softSetBoolArg('discover', false);
  if (args.getBoolArg('blocksonly', false)) args.softSetBoolArg('whitelistrelay', false);
  if (args.getBoolArg('whitelistforcerelay', false)) args.softSetBoolArg('whitelistrelay', true);
  const onlynets = args.getArgs('onlynet');
  if (onlynets.length > 0 && !onlynets.some((n) => parseNetwork(n) === NET_IPV4 || parseNetwork(n) === NET_IPV6)) {
    args.softSetBoolArg('dnsseed', false);
  }

  // AppInitParameterInteraction
  if (args.getBoolArg('forcednsseed', false) && !args.getBoolArg('dnsseed', true)) {
    throw new InitError('Cannot set -forcednsseed to true when setting -dnsseed to false.');
  }
  const listen = args.getBoolArg('listen', DEFAULT_LISTEN);
  if (args.getArgs('bind').length + args.getArgs('whitebind').length !== 0 && !listen) {
    throw new InitError('Cannot set -bind or -whitebind together with -listen=0');
  }
  if (!listen && args.getBoolArg('listenonion', false)) throw new InitError('Cannot set -listen=0 together with -listenonion=1');
  const maxConnections = args.getIntArg('maxconnections', base.maxConnections ?? defaultConnmanOptions().maxConnections);
  if (maxConnections < 0) throw new InitError('-maxconnections must be greater or equal than zero');
  const peerTimeout = args.getIntArg('peertimeout', base.peerConnectTimeoutSeconds ?? 60);
  if (peerTimeout <= 0) throw new InitError('peertimeout must be a positive integer.');
  const tests = args.getArgs('test');
  if (tests.length > 0 && chain !== 'regtest') throw new InitError('-test=<option> can only be used with regtest');
  for (const t of tests) if (t !== 'addrman') throw new InitError(`Invalid test option: ${t}`);
  if (args.isArgSet('v2transport') && args.getBoolArg('v2transport', false)) {
    throw new InitError('-v2transport=1 is not supported by this port (no BIP324 transport): use -v2transport=0');
  }

  // AppInitMain: reachable networks
  const reachable = new Set<Network>([NET_UNROUTABLE, NET_IPV4, NET_IPV6, NET_ONION, NET_I2P, NET_CJDNS, NET_INTERNAL]);
  if (onlynets.length > 0) {
    for (const n of [NET_IPV4, NET_IPV6, NET_ONION, NET_I2P, NET_CJDNS]) reachable.delete(n);
    for (const s of onlynets) {
      const net = parseNetwork(s);
      if (net === NET_UNROUTABLE) throw new InitError(`Unknown network specified in -onlynet: '${s}'`);
      reachable.add(net);
    }
  }
  if (!args.isArgSet('cjdnsreachable')) {
    if (onlynets.length > 0 && reachable.has(NET_CJDNS)) {
      throw new InitError('Outbound connections restricted to CJDNS (-onlynet=cjdns) but -cjdnsreachable is not provided');
    }
    reachable.delete(NET_CJDNS);
  }
  if (args.isArgSet('dnsseed') && args.getBoolArg('dnsseed', false) && !reachable.has(NET_IPV4) && !reachable.has(NET_IPV6)) {
    throw new InitError('Incompatible options: -dnsseed=1 was explicitly specified, but -onlynet forbids connections to IPv4/IPv6');
  }
  let proxy: Service | null = null;
  let onionProxy: Service | null = null;
  for (const value of proxyArg) {
    const eq = value.lastIndexOf('=');
    const proxyStr = eq < 0 ? value : value.slice(0, eq);
    let netStr = '';
    if (eq >= 0) {
      if (eq + 1 === value.length) throw new InitError(`Invalid -proxy address or hostname, ends with '=': '${value}'`);
      netStr = value.slice(eq + 1).toLowerCase();
    }
    let p: Service | null = null;
    if (proxyStr !== '' && proxyStr !== '0') {
      p = hostPort(proxyStr, DEFAULT_TOR_SOCKS_PORT);
      if (p === null || !p.isValid()) throw new InitError(`Invalid -proxy address or hostname: '${proxyStr}'`);
    }
    if (netStr === '') {
      proxy = p;
      onionProxy = p;
    } else if (netStr === 'ipv4' || netStr === 'ipv6' || netStr === 'cjdns') {
      proxy = p;
    } else if (netStr === 'onion') {
      onionProxy = p;
    } else {
      throw new InitError(`Unrecognized network in -proxy='${value}': '${netStr}'`);
    }
  }
  const onionArg = args.getArg('onion', '');
  if (onionArg !== '') {
    if (onionArg === '0') onionProxy = null;
    else {
      onionProxy = hostPort(onionArg, DEFAULT_TOR_SOCKS_PORT);
      if (onionProxy === null || !onionProxy.isValid()) throw new InitError(`Invalid -onion address or hostname: '${onionArg}'`);
    }
  }
  if (onionProxy === null) reachable.delete(NET_ONION);
  if (args.getArg('i2psam', '') === '') {
    if (onlynets.length > 0 && reachable.has(NET_I2P)) throw new InitError('Outbound connections restricted to i2p (-onlynet=i2p) but -i2psam is not provided');
    reachable.delete(NET_I2P);
  }

  // The listening sockets and our own addresses.
  const port = args.getIntArg('port', defaultPort);
  const binds: BindSpec[] = [];
  if (listen) {
    for (const b of args.getArgs('bind')) {
      const onion = b.endsWith('=onion');
      const text = onion ? b.slice(0, -'=onion'.length) : b;
      const s = hostPort(text, onion ? port + 1 : port);
      if (s === null) throw new InitError(resolveErrMsg('bind', b));
      binds.push({ service: s, onion });
    }
    for (const wb of args.getArgs('whitebind')) {
      const { flags, rest } = parsePermissions(wb, false);
      const s = hostPort(rest, 0);
      if (s === null) throw new InitError(resolveErrMsg('whitebind', rest));
      if (s.port === 0) throw new InitError(`Need to specify a port with -whitebind: '${rest}'`);
      binds.push({ service: s, permissions: flags });
    }
  }
  const listenPort = listenPortOf(args, port);
  const localAddresses: Service[] = [];
  for (const e of args.getArgs('externalip')) {
    const s = hostPort(e, listenPort);
    if (s === null || !s.isValid()) throw new InitError(resolveErrMsg('externalip', e));
    localAddresses.push(s);
  }
  const whitelistIn: NetWhitelistPermissions[] = [];
  const whitelistOut: NetWhitelistPermissions[] = [];
  for (const w of args.getArgs('whitelist')) {
    const { flags, rest, inbound, outbound } = parsePermissions(w, true);
    const subnet = lookupSubNet(rest, reachable);
    if (!subnet.isValid()) throw new InitError(`Invalid netmask specified in -whitelist: '${rest}'`);
    if (inbound) whitelistIn.push({ subnet, flags });
    if (outbound) whitelistOut.push({ subnet, flags });
  }
  let maxUploadTarget = base.maxUploadTarget ?? 0;
  if (args.isArgSet('maxuploadtarget')) {
    const text = args.getArg('maxuploadtarget', '');
    try {
      maxUploadTarget = parseByteUnits(text);
    } catch {
      throw new InitError(`Unable to parse -maxuploadtarget: '${text}'`);
    }
  }
  let localServices = base.localServices ?? defaultConnmanOptions().localServices;
  if (args.getBoolArg('peerbloomfilters', false)) localServices |= NODE_BLOOM;
  const connect = args.getArgs('connect');
  const timeoutMs = args.getIntArg('timeout', 5000);
  const mocktime = args.isArgSet('mocktime') ? args.getIntArg('mocktime', 0) : null;
  const options = resolveNodeOptions({
    ...base,
    chain,
    defaultPort,
    localServices,
    maxConnections,
    inboundRelayPercent: Math.min(100, Math.max(0, args.getIntArg('inboundrelaypercent', base.inboundRelayPercent ?? 50))),
    peerConnectTimeoutSeconds: peerTimeout,
    connectTimeoutMicros: (timeoutMs <= 0 ? 5000 : timeoutMs) * 1000,
    maxUploadTarget,
    banTimeSeconds: args.getIntArg('bantime', base.banTimeSeconds ?? 86400),
    connect: connect.length > 0 || args.isArgNegated('connect') ? connect : (base.connect ?? null),
    seedNodes: args.getArgs('seednode'),
    addedNodes: args.getArgs('addnode'),
    dnsSeed: args.getBoolArg('dnsseed', base.dnsSeed ?? true),
    forceDnsSeed: args.getBoolArg('forcednsseed', false),
    fixedSeeds: args.getBoolArg('fixedseeds', base.fixedSeeds ?? true),
    listen,
    binds,
    whitelistedRangeIncoming: whitelistIn,
    whitelistedRangeOutgoing: whitelistOut,
    whitelistRelay: args.getBoolArg('whitelistrelay', true),
    whitelistForceRelay: args.getBoolArg('whitelistforcerelay', false),
    blocksOnly: args.getBoolArg('blocksonly', false),
    networkActive: args.getBoolArg('networkactive', true),
    reachableNets: reachable,
    localAddresses,
    nameProxy: proxy !== null,
    proxyDescription: proxy?.toStringAddrPort() ?? '',
    onionProxyDescription: onionProxy?.toStringAddrPort() ?? '',
    deterministicAddrman: tests.includes('addrman'),
    checkAddrman: args.getIntArg('checkaddrman', 0),
    listenPort,
    subVersion: formatSubVersion(args.getArgs('uacomment')),
  });
  const debug = args.getArgs('debug');
  return {
    options,
    proxy,
    onionProxy,
    mocktime,
    debug: debug.length === 1 && debug[0] === '' ? ['1'] : debug,
    debugExclude: args.getArgs('debugexclude'),
    deterministicAddrman: tests.includes('addrman'),
    checkAddrman: args.getIntArg('checkaddrman', 0),
  };
}

/** Core: clientversion.cpp FormatSubVersion("Satoshi", 31.99.0, comments) */
function formatSubVersion(comments: readonly string[]): string {
  const base = DEFAULT_USER_AGENT.slice(0, -1);
  return comments.length === 0 ? DEFAULT_USER_AGENT : `${base}(${comments.join('; ')})/`;
}

/** The port we listen on and announce: the first -bind with a port, else a non-noban -whitebind's, else -port. */
// Core: net.cpp GetListenPort
function listenPortOf(args: ArgsManager, port: number): number {
  for (const b of args.getArgs('bind')) {
    const s = hostPort(b, 0);
    if (s !== null && s.port !== 0) return s.port;
  }
  for (const wb of args.getArgs('whitebind')) {
    try {
      const { flags, rest } = parsePermissions(wb, false);
      const s = hostPort(rest, 0);
      if (s !== null && (flags & NetPermissionFlags.NoBan) !== NetPermissionFlags.NoBan && s.port !== 0) return s.port;
    } catch {
      // Core skips a whitebind it cannot parse here (the bind itself fails later).
    }
  }
  return port;
}
