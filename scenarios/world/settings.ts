// `--set key=value` takes two kinds of setting: the release profile's (profiles.ts) and the world's
// (world-settings.ts). This splits one list between them and resolves both, so the runner, the CLI's
// up-front checks and the sweep planner read `--set` the same way.

import { resolveProfile, type ResolvedProfile } from './profiles.ts';
import { isWorldSettingKey, resolveWorldSettings, type ResolvedWorldSettings, type WorldSettingKey } from './world-settings.ts';

function keyOf(kv: string): string {
  const eq = kv.indexOf('=');
  return eq < 0 ? kv : kv.slice(0, eq);
}

/** The profile `name` with the profile keys of `set`, and the world settings with the world keys (throws ProfileError / WorldSettingError). */
export function resolveSettings(
  name: string,
  set: readonly string[],
  worldDefaults: Readonly<Partial<Record<WorldSettingKey, string>>> = {},
): { profile: ResolvedProfile; world: ResolvedWorldSettings } {
  const profile = resolveProfile(
    name,
    set.filter((kv) => !isWorldSettingKey(keyOf(kv))),
  );
  const world = resolveWorldSettings(
    set.filter((kv) => isWorldSettingKey(keyOf(kv))),
    worldDefaults,
  );
  return { profile, world };
}
