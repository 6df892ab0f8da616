// Headless rendering of Vega-Lite specs: compile with vega-lite, parse and run with vega (renderer
// 'none', so no canvas and no DOM are needed), and return the SVG text, with every warning either
// library logged along the way. It writes no files (run-dir.ts does) and builds no specs
// (reports/ does). Asynchronous because vega's View is.

import * as vega from 'vega';
import * as vl from 'vega-lite';

import type { VlSpec } from '../reports/index.ts';

/**
 * Collects what vega-lite and vega log, instead of printing it to the console. Its methods are
 * bound to the instance: vega's View calls the logger's methods detached from it.
 */
class CollectingLogger {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  private currentLevel = vega.Warn;

  readonly level = ((l?: number): number | CollectingLogger => {
    if (l === undefined) return this.currentLevel;
    this.currentLevel = l;
    return this;
  }) as { (): number; (l: number): CollectingLogger };
  readonly error = (...args: readonly unknown[]): this => {
    this.errors.push(args.map(String).join(' '));
    return this;
  };
  readonly warn = (...args: readonly unknown[]): this => {
    this.warnings.push(args.map(String).join(' '));
    return this;
  };
  readonly info = (): this => this;
  readonly debug = (): this => this;
}

export interface CompiledSpec {
  /** The Vega spec vega-lite produced. */
  vega: vega.Spec;
  /** Warnings vega-lite logged while compiling (an empty list is the goal). */
  warnings: string[];
}

/** Compile a Vega-Lite spec to Vega, collecting vega-lite's warnings. */
export function compileVegaLite(spec: VlSpec): CompiledSpec {
  const logger = new CollectingLogger();
  const out = vl.compile(spec as unknown as vl.TopLevelSpec, { logger });
  if (logger.errors.length > 0) throw new Error(`vega-lite: ${logger.errors.join('; ')}`);
  return { vega: out.spec, warnings: logger.warnings };
}

export interface RenderedSvg {
  svg: string;
  /** Warnings from vega-lite's compile and from running the vega dataflow. */
  warnings: string[];
}

/**
 * Vega numbers clip paths (and gradients) from a process-wide counter, so the same chart rendered
 * twice gets different ids. Renumber them by first appearance, which makes the SVG a function of
 * the spec alone.
 */
export function normaliseSvgIds(svg: string): string {
  const ids = new Map<string, string>();
  const counters = new Map<string, number>();
  return svg.replace(/\b(clip|gradient_|pattern_)(\d+)\b/g, (whole: string, kind: string) => {
    let id = ids.get(whole);
    if (id === undefined) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      id = `${kind}${n}`;
      ids.set(whole, id);
    }
    return id;
  });
}

/** Render a Vega-Lite spec to SVG text without a browser. */
export async function renderSvg(spec: VlSpec): Promise<RenderedSvg> {
  const compiled = compileVegaLite(spec);
  const logger = new CollectingLogger();
  const view = new vega.View(vega.parse(compiled.vega), { renderer: 'none', logger: logger as unknown as vega.LoggerInterface, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (logger.errors.length > 0) throw new Error(`vega: ${logger.errors.join('; ')}`);
    const normalised = normaliseSvgIds(svg);
    return { svg: normalised.endsWith('\n') ? normalised : `${normalised}\n`, warnings: [...compiled.warnings, ...logger.warnings] };
  } finally {
    view.finalize();
  }
}
