/**
 * A pino logger made on first use (start-up cost, issue 10 §6): importing pino and opening its
 * destination (sonic-boom, thread-stream and the rest) took ~50 ms of every `toolflow run` here,
 * while an embedded run at the default level (`warn`) most often logs nothing. Log calls below the
 * level are dropped without loading pino; anything else (a warning, `child`, `level`) makes the
 * real logger once and goes to it.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

/** pino's level values (https://getpino.io/#/docs/api?id=levels); `silent` is above every level. */
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

const noop = () => undefined;

/**
 * A Logger that writes to stderr (fd 2) as `pino({ level, base }, pino.destination(2))` does,
 * loading pino only when something at `level` or above is logged, or a member other than a log
 * method is read.
 * @param level one of pino's level names (checked by the config: `logLevelFrom`).
 * @param base fields every line carries.
 */
export function lazyLogger(level: string, base: Record<string, unknown>): Logger {
  let real: Logger | undefined;
  const logger = (): Logger => {
    if (!real) {
      const pino = createRequire(import.meta.url)('pino') as typeof import('pino').pino;
      real = pino({ level, base }, pino.destination(2));
    }
    return real;
  };
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info!;
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (typeof prop === 'string' && prop !== 'silent' && LEVEL_VALUES[prop] !== undefined && LEVEL_VALUES[prop] < threshold && !real) return noop;
      const value = Reflect.get(logger(), prop) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(logger()) : value;
    },
  });
}
