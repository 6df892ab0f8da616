// Module resolve hooks for scenario files loaded by the CLI (registered by cli.ts and by the sweep
// workers with node:module register, before any scenario file is loaded):
// - a scenario file anywhere on disk may import this checkout as `connsim` (and `connsim/connman`,
//   `connsim/scenarios`, …): the bare specifiers named by package.json "exports" resolve to this
//   checkout's files, even where there is no node_modules/connsim;
// - TypeScript files outside this checkout and outside node_modules load as ES modules, whatever
//   the "type" of the package around them, so that they share the module instances the CLI itself
//   uses (a CommonJS copy of connsim would have its own classes, and `instanceof` across the two
//   would fail). Scenario files are written with import/export syntax, as the examples are.
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
/** 'connsim' → URL of ./index.ts, 'connsim/connman' → URL of ./connman/index.ts, … */
const targets = new Map(
  Object.entries(pkg.exports ?? {}).map(([sub, file]) => [sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`, new URL(file, root).href]),
);

function isForeignTypeScript(url) {
  return url.startsWith('file:') && !url.startsWith(root.href) && !url.includes('/node_modules/') && /\.(ts|mts|cts|tsx)$/.test(url.split('?')[0]);
}

export async function resolve(specifier, context, nextResolve) {
  const url = targets.get(specifier);
  if (url !== undefined) return { url, format: 'module-typescript', shortCircuit: true };
  const r = await nextResolve(specifier, context);
  if (isForeignTypeScript(r.url) && !r.url.split('?')[0].endsWith('.cts')) return { ...r, format: 'module-typescript' };
  return r;
}
