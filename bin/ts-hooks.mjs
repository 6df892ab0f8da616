// Module load hook for connsim's own TypeScript (registered by bin/loader.mjs, after tsx's hooks,
// so it runs first): every .ts file of this checkout outside node_modules is compiled with esbuild
// as tsx would, except without esbuild's `keepNames`. tsx turns that option on for every file, and
// it wraps each function and class in a call that sets its `name` property; a simulation creating
// closures on its hot paths paid for one such call (a property definition) per closure, several
// per cent of a long run's CPU. Nothing in connsim reads a function's or class's `name` (errors set
// theirs explicitly), and without minification esbuild keeps the source names anyway.
// Everything else — scenario files outside this checkout, dependencies, JSON — goes on to tsx.
//
// Compiled output is cached by content (esbuild's version, the options, the file's path and text)
// in the system's temporary directory, as tsx caches its own, so only a changed file is compiled
// again; a cache that cannot be written is skipped.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync, version } from 'esbuild';

const root = new URL('../', import.meta.url).href;
const tsconfigRaw = readFileSync(new URL('tsconfig.json', root), 'utf8');
const options = {
  loader: 'ts',
  format: 'esm',
  target: `node${process.versions.node}`,
  sourcemap: 'inline',
  minifyWhitespace: true,
  keepNames: false,
  tsconfigRaw,
};
const optionsKey = `${version}\0${JSON.stringify(options)}`;
const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
const cacheDir = join(tmpdir(), `connsim-ts-${uid}`);
let cacheUsable = true;
try {
  mkdirSync(cacheDir, { recursive: true });
} catch {
  cacheUsable = false;
}

function isOwnTypeScript(url) {
  return url.startsWith(root) && url.endsWith('.ts') && !url.includes('/node_modules/');
}

/** This checkout's TypeScript file at `path`, compiled (exported for the tests). */
export function compile(path) {
  const source = readFileSync(path, 'utf8');
  const key = createHash('sha256').update(optionsKey).update('\0').update(path).update('\0').update(source).digest('hex');
  const cached = join(cacheDir, `${key}.mjs`);
  if (cacheUsable) {
    try {
      return readFileSync(cached, 'utf8');
    } catch {
      // Not cached yet.
    }
  }
  const code = transformSync(source, { ...options, sourcefile: path }).code;
  if (cacheUsable) {
    try {
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, cached);
    } catch {
      cacheUsable = false;
    }
  }
  return code;
}

export async function load(url, context, nextLoad) {
  if (!isOwnTypeScript(url)) return nextLoad(url, context);
  return { format: 'module', source: compile(fileURLToPath(url)), shortCircuit: true };
}
