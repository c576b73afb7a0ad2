/**
 * `toolflow serve [--port 8080] [--host 127.0.0.1] [--upload-limit SIZE]`: the user HTTP API alone
 * (`api/app.ts`), over the configured backends (embedded or services mode). Tasks submitted through
 * it are hosted by this process, as `toolflow run` hosts its task: their work managers and tools run
 * here. SIGINT or SIGTERM stops it: it stops taking requests, then stops the tools of the tasks it
 * hosts (they stay `processing`, and `toolflow resume TASK` takes them over); a second signal exits at once.
 */
import { loadConfig } from '../runtime/config.js';
import { serveUntilSignal, type ListenOptions } from './api-server.js';

/** Options of `toolflow serve`. */
export type ServeOptions = ListenOptions;

/**
 * Serves the API until SIGINT or SIGTERM. Prints `toolflow serve: listening on http://HOST:PORT` on
 * stderr once it accepts connections.
 * @returns exit code 0 once stopped.
 * @throws ConfigError for bad configuration or a port in use; ServiceUnavailableError for a backend that does not answer.
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  return serveUntilSignal('toolflow serve', loadConfig(), opts);
}
