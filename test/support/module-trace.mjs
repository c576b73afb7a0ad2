// Preloaded with `node --import ./module-trace.mjs` (test/cli/startup.test.ts): records every module
// file the process loads, one per line, in the file $TOOLFLOW_MODULE_TRACE. ES modules are seen by a
// resolve hook (module.register: https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks),
// CommonJS ones (a package's own require()s included) by the require cache, listed at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.TOOLFLOW_MODULE_TRACE;
if (!out) throw new Error('module-trace.mjs: set TOOLFLOW_MODULE_TRACE to the file to write');
register('./module-trace-hooks.mjs', import.meta.url, { data: { out } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(out, Object.keys(cache).map((f) => `${f}\n`).join('')));
