/**
 * The `api` function: the user HTTP API (`shared/api/app.ts` `buildApi`: tokens, tasks, logs,
 * outputs, uploads under `/v1`), as `toolflow serve` runs it. It is a host process: tasks submitted
 * through it run their work managers and tools here. `node dist/functions/api/index.js` serves it on
 * every interface, port `http_port`, else `PORT`, else 8080 (of-watchdog HTTP mode, or a Knative
 * Service's container). It exports no faas-js-runtime `handle`: faas-js-runtime 3 routes only `/`
 * and gives a handler no path, and the API has many.
 */
import { buildApi } from '../../shared/api/app.js';
import { isMainModule, portFromEnv } from '../../shared/http/function-module.js';

export { buildApi };

/** Serves the API until SIGTERM or SIGINT. @returns the exit code. @throws as `toolflow serve` does. */
export async function serve(port = portFromEnv()): Promise<number> {
  const { serveCommand } = await import('../../shared/cli/serve-command.js');
  return serveCommand({ port, host: '0.0.0.0' });
}

if (isMainModule(import.meta.url)) {
  serve().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`toolflow: ${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}
