// The outside network (world setting outsideAnnouncements, on in the mainnet preset): floods of
// outside self-announcements enter at listening nodes, are relayed and stored by the port, and
// reach nodes that never met the announcer; the preset resolves as documented and --set wins.
import { describe, expect, it } from 'vitest';
import { hours, minutes } from '../../sim/index.ts';
import { OutsideNetwork, REAL_FLOODS_PER_HOUR } from './outside-network.ts';
import { World } from './world.ts';
import { resolveWorldSettings } from './world-settings.ts';

describe('OutsideNetwork', () => {
  it('each arrival is stored at its first hop and relayed on by the port to nodes that never heard of it', () => {
    const world = new World({ seed: 'outside', nodes: 30, listeningShare: 0.5 });
    const outside = new OutsideNetwork(world, { gap: resolveWorldSettings(['outsideAnnouncements=poisson(60/h)']).settings.outsideAnnouncements!, pool: 1000 });
    world.runUntil(minutes(20));
    const own = new Set(world.nodes.map((n) => n.address.toStringAddr()));
    const outsideCount = (i: number): number => world.nodes[i]!.connman!.addrman.getAddr(0, 0, null, false).filter((a) => !own.has(a.toStringAddr())).length;
    const before = world.nodes.map((n) => outsideCount(n.index));
    outside.start();
    world.runFor(hours(1));
    // About 60 arrivals in the hour (a Poisson count), most relayed on.
    expect(outside.delivered).toBeGreaterThan(35);
    expect(outside.delivered).toBeLessThan(90);
    expect(outside.relayed).toBeGreaterThan(outside.delivered / 2);
    const after = world.nodes.map((n) => outsideCount(n.index));
    // Non-listening nodes are never a first hop, so what they hold came through the port's relay.
    const unreachable = world.nodes.filter((n) => !n.listening).map((n) => n.index);
    expect(unreachable.length).toBeGreaterThan(0);
    expect(unreachable.filter((i) => after[i]! > before[i]!).length).toBeGreaterThan(unreachable.length / 2);
  });

  it('the mainnet preset: 33,700 announcing nodes flood once a day; an explicit --set still wins', () => {
    expect(Math.round(REAL_FLOODS_PER_HOUR)).toBe(1404);
    const m = resolveWorldSettings(['preset=mainnet']);
    expect([m.texts.preset, m.texts.outsideAnnouncements]).toEqual(['mainnet', 'poisson(1404/h)']);
    const off = resolveWorldSettings(['outsideAnnouncements=off', 'preset=mainnet']);
    expect(off.texts.outsideAnnouncements).toBe('off');
    expect(resolveWorldSettings([], { preset: 'mainnet' }).texts.outsideAnnouncements).toBe('poisson(1404/h)');
    expect(() => resolveWorldSettings(['preset=testnet'])).toThrow(/unknown world preset "testnet" \(known: default, mainnet\)/);
  });
});
