/**
 * A pino logger made on first use (start-up cost, issue 10 §6): importing pino and opening its
 * destination (sonic-boom, thread-stream and the rest) took ~50 ms of every `toolflow run` here,
 * while an embedded run at the default level (`warn`) most often logs nothing. Log calls below the
 * level are dropped without loading pino; `child` and `bindings` are answered without it too (a
 * child is lazy as well, made from the real logger once it is needed); anything else (a warning,
 * `level`, `flush`) makes the real logger once and goes to it. The logger has toolflow's options
 * (`log.ts`: redaction, masking).
 */
import type { Logger } from 'pino';
import { makeLogger, type LogStream } from './log.js';

/** pino's level values (https://getpino.io/#/docs/api?id=levels); `silent` is above every level. */
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

const noop = () => undefined;

/**
 * A Logger that writes to `stream` (stderr by default: the CLI's commands keep stdout for results)
 * as `makeLogger(level, base, stream)` does, loading pino only when something at `level` or above
 * is logged, or a member other than a log method, `child` or `bindings` is read.
 * @param level one of pino's level names (checked by the config: `logLevelFrom`).
 * @param base fields every line carries.
 */
export function lazyLogger(level: string, base: Record<string, unknown>, stream: LogStream = 'stderr'): Logger {
  let real: Logger | undefined;
  return lazyOf(() => (real ??= makeLogger(level, base, stream)), () => real !== undefined, LEVEL_VALUES[level] ?? LEVEL_VALUES.info!, base);
}

/**
 * The lazy proxy over `make` (the real logger, made when first called).
 * @param made whether the real logger exists already (then every call goes to it).
 * @param threshold the level value under which calls are dropped while it does not exist.
 * @param bound the fields it binds (its `bindings()`).
 */
function lazyOf(make: () => Logger, made: () => boolean, threshold: number, bound: Record<string, unknown>): Logger {
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (!made()) {
        if (typeof prop === 'string' && prop !== 'silent' && LEVEL_VALUES[prop] !== undefined && LEVEL_VALUES[prop] < threshold) return noop;
        if (prop === 'bindings') return () => ({ ...bound });
        if (prop === 'child') {
          return (bindings: Record<string, unknown>, options?: object) => {
            let child: Logger | undefined;
            return lazyOf(() => (child ??= make().child(bindings, options)), () => child !== undefined, threshold, { ...bound, ...bindings });
          };
        }
      }
      const logger = make();
      const value = Reflect.get(logger, prop) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(logger) : value;
    },
  });
}
