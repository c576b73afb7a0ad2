// The resolve hook of module-trace.mjs (it runs on the hooks thread): appends each resolved URL.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let out;
/** @param {{ out: string }} data */
export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, `${result.url.startsWith('file:') ? fileURLToPath(result.url) : result.url}\n`);
  return result;
}
