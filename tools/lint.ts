// Project lint: the determinism boundary and the layer import rules of DESIGN.md.
//
// It parses every TypeScript file with the compiler's own parser (no regexes over source text), so
// a forbidden name inside a string or a comment is not a hit, and an aliased use is.
//
// Rules, for non-test files under sim/, connman/, scenarios/, reports/, examples/, testing/:
//   - no Math.random, Date, performance, timers (setTimeout, setInterval, setImmediate,
//     queueMicrotask), Promise, async functions or await, process, crypto randomness;
//   - no file system or other I/O modules (node:fs, node:child_process, node:worker_threads, ...):
//     cli.ts and tools/ are the only code that touches the outside world.
// Import rules, for every file (tests included) except where noted:
//   - sim/ imports nothing of ours outside sim/;
//   - connman/ imports nothing of ours outside connman/ (its ports.ts is its only contract);
//   - reports/ imports nothing of ours outside reports/;
//   - scenarios/ may import sim/, connman/ and reports/ (the joining layer);
//   - testing/ (the functional-test harness) imports nothing of ours but connman/;
//   - bridge/ (real-time pacing, the SOCKS5 server, TCP to a real bitcoind) is real I/O, outside
//     the determinism boundary: it may import sim/, connman/, scenarios/ and itself, and nothing
//     inside the boundary may import it (only cli/ does). Its files get the import rules only.
// Inside connman/, folders follow Core's own dependency order, lowest first: util, protocol,
// netgroup, addrman, net, net_processing, profiles, rpc. A file may import its own folder, a lower one
// and the root contract ports.ts, never a higher one (so net/ knows nothing of net_processing/, as
// net.cpp does not); the composition root (init.ts) and the entry point (index.ts) may import
// anything. connman/testing/ holds test doubles: only tests import it.
// Test files (*.test.ts) may additionally import the harness in scenarios/ and sim/ to drive the
// code under test; they are exempt from the determinism rules (vitest itself is async). Test
// helpers (*.test-helper.ts: code shared by several test files, e.g. golden-file comparison) count
// as tests, and no other file may import one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const BOUNDARY = ['sim', 'connman', 'scenarios', 'reports', 'examples', 'testing'];
/** Layers that do real I/O by design: checked for their imports, not for determinism. */
const IO_LAYERS = ['bridge'];
const FORBIDDEN_GLOBALS = new Set([
  'Date',
  'performance',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'Promise',
  'process',
  'require',
]);
const FORBIDDEN_MODULES = [
  'fs',
  'fs/promises',
  'child_process',
  'worker_threads',
  'net',
  'dgram',
  'http',
  'https',
  'os',
  'timers',
  'timers/promises',
  'perf_hooks',
  'readline',
];
const FORBIDDEN_CRYPTO_MEMBERS = new Set(['randomBytes', 'randomUUID', 'getRandomValues', 'randomInt', 'randomFillSync', 'randomFill']);

/** What each layer may import from (of our own top-level folders). */
const ALLOWED_IMPORTS: Record<string, string[]> = {
  sim: ['sim'],
  connman: ['connman'],
  reports: ['reports'],
  scenarios: ['scenarios', 'sim', 'connman', 'reports'],
  examples: ['examples', 'sim'],
  // The functional-test harness drives a node through the port's public entry point only.
  testing: ['testing', 'connman'],
  // Real I/O joined to the simulated world through the port's and the sim's own interfaces.
  bridge: ['bridge', 'sim', 'connman', 'scenarios'],
};
const TEST_EXTRA: Record<string, string[]> = {
  sim: [],
  connman: ['scenarios', 'sim'],
  // The RunResult fixtures are built with the recorder's own aggregation (scenarios/observe/).
  reports: ['scenarios'],
  scenarios: [],
  examples: [],
  testing: [],
  bridge: [],
};

/** connman/'s folders in Core's dependency order (index = rank). */
const CONNMAN_ORDER = ['util', 'protocol', 'netgroup', 'addrman', 'net', 'net_processing', 'profiles', 'rpc'];

/** The connman/ folder of a path ('' for a file at connman/'s root), or undefined outside connman/. */
function connmanFolder(path: string): string | undefined {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] !== 'connman') return undefined;
  return parts.length > 2 ? parts[1]! : '';
}

interface Finding {
  file: string;
  line: number;
  message: string;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function topFolder(file: string): string {
  return relative(ROOT, file).split(sep)[0] ?? '';
}

function lintFile(file: string): Finding[] {
  const layer = topFolder(file);
  const isTest = file.endsWith('.test.ts') || file.endsWith('.test-helper.ts');
  // I/O layers skip the determinism rules (as tests do) but keep the import rules.
  const exempt = isTest || IO_LAYERS.includes(layer);
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const rel = relative(ROOT, file);
  const report = (node: ts.Node, message: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    findings.push({ file: rel, line: line + 1, message });
  };

  const checkImport = (node: ts.Node, spec: string) => {
    const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
    if (!exempt && FORBIDDEN_MODULES.includes(bare)) {
      report(node, `'${spec}' is I/O: only cli.ts and tools/ may touch the outside world`);
    }
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!isTest && target.endsWith('.test-helper.ts')) report(node, `'${spec}' is a test helper: only tests may import it`);
      const from = connmanFolder(file);
      const to = connmanFolder(target);
      if (!isTest && from !== undefined && to !== undefined) {
        if (to === 'testing') report(node, `'${spec}' is a test double in connman/testing/: only tests may import it`);
        else if (from !== '' && from !== 'testing') {
          const fromRank = CONNMAN_ORDER.indexOf(from);
          const toRank = CONNMAN_ORDER.indexOf(to);
          if (to === '' ? relative(join(ROOT, 'connman'), target) !== 'ports.ts' : toRank > fromRank) {
            report(node, `connman/${from}/ may not import '${spec}' (Core's order: ${CONNMAN_ORDER.join(' < ')}; the root files but ports.ts sit above them all)`);
          }
        }
      }
      const targetTop = relative(ROOT, target).split(sep)[0] ?? '';
      const allowed = [...(ALLOWED_IMPORTS[layer] ?? []), ...(isTest ? TEST_EXTRA[layer] ?? [] : [])];
      if (!allowed.includes(targetTop)) {
        report(node, `${layer}/ may not import from ${targetTop || '(project root)'} ('${spec}'); see DESIGN.md layers`);
      }
    }
  };

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkImport(node, node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) checkImport(node, arg.text);
      if (!exempt) report(node, 'dynamic import() is asynchronous');
    }
    if (!exempt) {
      if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
        const parent = node.parent;
        // A property name (obj.Date) or a declaration's own name is not a use of the global.
        const isPropertyName =
          (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
          (ts.isPropertyAssignment(parent) && parent.name === node) ||
          (ts.isPropertySignature(parent) && parent.name === node) ||
          (ts.isPropertyDeclaration(parent) && parent.name === node) ||
          (ts.isMethodDeclaration(parent) && parent.name === node) ||
          (ts.isMethodSignature(parent) && parent.name === node);
        if (!isPropertyName) report(node, `'${node.text}' is forbidden inside the determinism boundary`);
      }
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
        if (node.expression.text === 'Math' && node.name.text === 'random') {
          report(node, 'Math.random is forbidden: draw from an injected, forked Rng stream');
        }
        if (FORBIDDEN_CRYPTO_MEMBERS.has(node.name.text)) {
          report(node, `${node.expression.text}.${node.name.text} is entropy: draw from an injected Rng stream`);
        }
      }
      if (ts.isImportSpecifier(node) && FORBIDDEN_CRYPTO_MEMBERS.has((node.propertyName ?? node.name).text)) {
        report(node, `importing ${(node.propertyName ?? node.name).text} brings entropy into the boundary`);
      }
      if (node.kind === ts.SyntaxKind.AsyncKeyword) report(node, 'async functions are forbidden inside the determinism boundary');
      if (ts.isAwaitExpression(node)) report(node, 'await is forbidden inside the determinism boundary');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

const files = [...BOUNDARY, ...IO_LAYERS].flatMap((d) => listTs(join(ROOT, d)));
const findings = files.flatMap(lintFile);
if (findings.length > 0) {
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  console.error(`lint: ${findings.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`lint: ${files.length} files clean (determinism boundary and layer imports)`);
