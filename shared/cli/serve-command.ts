/**
 * `toolflow serve [--port 8080] [--host 127.0.0.1] [--upload-limit SIZE]`: the user HTTP API alone
 * (`api/app.ts`), over the configured backends (embedded or services mode). Tasks submitted through
 * it are hosted by this process, as `toolflow run` hosts its task: their work managers and tools run
 * here. SIGINT or SIGTERM stops it: it stops taking requests, then stops the tools of the tasks it
 * hosts (they stay `processing`, and `toolflow resume TASK` takes them over); a second signal exits at once.
 */
import { resolve, join } from 'node:path';
import { apiOptionsFromEnv, buildApi } from '../api/app.js';
import { ensureDir } from '../ensure-dir.js';
import { ConfigError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { createRuntime } from '../runtime/runtime.js';

/** Options of `toolflow serve`. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one (printed). */
  port: number;
  /** Address to listen on: 127.0.0.1 (this machine only) by default; 0.0.0.0 for every interface. */
  host: string;
  /** Longest upload, bytes (wins over TOOLFLOW_API_UPLOAD_LIMIT). */
  uploadLimit?: number;
}

/**
 * Serves the API until SIGINT or SIGTERM. Prints `toolflow serve: listening on http://HOST:PORT` on
 * stderr once it accepts connections.
 * @returns exit code 0 once stopped.
 * @throws ConfigError for bad configuration or a port in use; ServiceUnavailableError for a backend that does not answer.
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const config = loadConfig();
  const spoolDir = join(config.home, 'spool');
  for (const [what, dir] of [['TOOLFLOW_HOME', config.home], ['the work dir', config.workDir], ['the upload spool folder', spoolDir]] as const) {
    try {
      ensureDir(dir);
    } catch (err) {
      throw new ConfigError(`${what} ${dir} cannot be used as a folder: ${(err as Error).message}`);
    }
  }
  const limits = apiOptionsFromEnv();
  const runtime = await createRuntime(config);
  const app = buildApi(runtime, {
    ...limits,
    ...(opts.uploadLimit !== undefined ? { uploadBodyLimit: opts.uploadLimit } : {}),
    logger: runtime.ports.log,
    workRoot: resolve(config.workDir),
    // Under TOOLFLOW_HOME rather than /tmp, which is often a tmpfs held in memory.
    spoolDir,
  });
  let address: string;
  try {
    address = await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    await runtime.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new ConfigError(`cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message} (choose another --port or --host)`);
    throw err;
  }
  process.stderr.write(`toolflow serve: listening on ${address}${runtime.mode === 'services' ? ` (services mode: ${runtime.backends})` : ''}\n`);
  await new Promise<void>((done) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      process.stderr.write('toolflow serve: stopping (again to exit at once)…\n');
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await app.close();
  await runtime.close();
  return 0;
}
