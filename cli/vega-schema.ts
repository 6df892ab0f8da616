// The Vega-Lite JSON schema check the tests apply to every chart spec: ajv compiled against the
// schema file that ships with vega-lite (draft-07), with the three string formats it uses.
// Test support only; nothing at run time validates specs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { Ajv } from 'ajv';

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
