// Test support for chart specs: the Vega-Lite JSON schema check (ajv compiled against the schema
// file that ships with vega-lite, draft-07, with the three string formats it uses), a compile that
// returns what vega-lite logged, and the text of a rendered SVG. Nothing at run time validates specs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { Ajv } from 'ajv';
import * as vl from 'vega-lite';

const require = createRequire(import.meta.url);

/** A validator for Vega-Lite specs: returns the errors as text, empty when the spec is valid. */
export function vegaLiteValidator(): (spec: unknown) => string[] {
  const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('color-hex', /^#(?:[0-9a-fA-F]{3}){1,2}$/);
  ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/.test(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  const validate = ajv.compile(schema);
  return (spec) => (validate(spec) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

/** Compiles a spec with vega-lite and returns what it logged (warnings and errors). */
export function compileLogged(spec: object): { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    level(l?: number) {
      return l === undefined ? 2 : logger;
    },
    warn: (...a: unknown[]) => (warnings.push(a.map(String).join(' ')), logger),
    error: (...a: unknown[]) => (warnings.push(`error: ${a.map(String).join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  vl.compile(spec as vl.TopLevelSpec, { logger: logger as never });
  return { warnings };
}

/** The text content of an SVG with XML entities decoded, so titles can be searched for. */
export function svgText(svg: string): string {
  const texts = [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
  return texts
    .join('\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
