import { describe, expect, it } from 'vitest';
import { checkNodeArgs, safeNodeArgs } from './bitcoind.ts';

const ports = { socksPort: 9050, p2pPort: 18444, rpcPort: 18443 };
const safe = safeNodeArgs('/tmp/d', ports);

describe('checkNodeArgs', () => {
  it('accepts the command line connsim builds', () => {
    expect(checkNodeArgs(safe, 9050)).toBeNull();
    // Extra options that keep everything on loopback are fine.
    expect(checkNodeArgs([...safe, '-maxconnections=40', '-debug=addrman'], 9050)).toBeNull();
  });

  it.each([
    ['-dnsseed=1', /-dnsseed=1 would query DNS seeds/],
    ['-fixedseeds', /-fixedseeds=1/],
    ['-discover=1', /-discover=1/],
    ['-natpmp=1', /-natpmp=1/],
    ['-listenonion=1', /Tor control/],
    ['-forcednsseed=1', /forcednsseed/],
    ['-cjdnsreachable=1', /fc00/],
    ['-proxy=127.0.0.1:9999', /every -proxy must be the bridge's 127.0.0.1:9050/],
    ['-proxy=10.0.0.1:9050=ipv4', /every -proxy/],
    ['-onion=127.0.0.1:9051', /-onion=127.0.0.1:9051 is not the bridge's proxy/],
    ['-bind=0.0.0.0:18444', /-bind=0.0.0.0:18444 is not a loopback address/],
    ['-whitebind=noban@192.168.1.2:8333', /not a loopback address/],
    ['-rpcbind=0.0.0.0', /-rpcbind=0.0.0.0/],
    ['-rpcallowip=0.0.0.0/0', /opens RPC beyond loopback/],
    ['-i2psam=127.0.0.1:7656', /-i2psam is not allowed/],
    ['-externalip=1.2.3.4', /-externalip is not allowed/],
    ['-conf=/etc/bitcoin.conf', /config file/],
    ['-upnp=1', /-upnp is not allowed/],
  ])('refuses %s with one line', (extra, why) => {
    const problem = checkNodeArgs([...safe, extra], 9050);
    expect(problem).toMatch(why);
    expect(problem).not.toContain('\n');
  });

  it('reads the last value of an option, as Core does, and -noX as X=0', () => {
    expect(checkNodeArgs([...safe, '-dnsseed=1', '-nodnsseed'], 9050)).toBeNull();
    expect(checkNodeArgs([...safe, '-nodiscover', '-discover'], 9050)).toMatch(/-discover=1/);
  });

  it('needs regtest, a proxy and a loopback bind when listening', () => {
    expect(checkNodeArgs(safe.filter((a) => a !== '-regtest'), 9050)).toMatch(/-regtest/);
    expect(checkNodeArgs(safe.filter((a) => !a.startsWith('-proxy')), 9050)).toMatch(/got none/);
    expect(checkNodeArgs(safe.filter((a) => !a.startsWith('-bind')), 9050)).toMatch(/listens on every interface/);
  });
});
