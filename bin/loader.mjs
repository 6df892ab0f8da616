// What `node --import ./bin/loader.mjs` sets up (bin/connsim.js, the bench script and the sweep
// workers use it in place of `--import tsx`): tsx's hooks for any TypeScript and connsim's load
// hook (bin/ts-hooks.mjs), which compiles this checkout's own files without esbuild's keepNames.
// Registered after tsx's, connsim's hook runs first and hands everything else on to tsx.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// On the main thread `import 'tsx'` registers its ESM and CommonJS hooks, as `--import tsx` does;
// in a worker it registers nothing, so the worker asks its ESM API.
if (isMainThread) await import('tsx');
else (await import('tsx/esm/api')).register();
register('./ts-hooks.mjs', import.meta.url);
