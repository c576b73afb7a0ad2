/**
 * Progress of file uploads on stderr (`toolflow upload`, and the inputs of `toolflow run`): on a
 * terminal, one cli-progress bar per file (a MultiBar, so several files show at once) with the
 * bytes sent, the rate and the time left; elsewhere (a log, CI) a plain line per file now and then,
 * or nothing. stdout is never written here.
 *
 * cli-progress is loaded only for a terminal (start-up cost, issue 8 §6), and its own SIGINT
 * handling (`gracefulExit`) is off: the commands handle Ctrl-C themselves and stop the bars first.
 */

/** How the progress shows: `live` bars (stderr is a terminal), `plain` lines now and then, or `off`. */
export type UploadProgressMode = 'live' | 'plain' | 'off';

/** The progress of one file. */
export interface FileProgress {
  /** Bytes the server holds or has been sent (a resumed upload's offset included). */
  update(bytes: number): void;
  /** Ends the file's bar: live, it gives way to a line `uploaded NAME: SIZE in T s (RATE)` (`donePrefix`) when `bytes` (the total) is given, and goes silently otherwise (a failure the caller says). */
  finish(bytes?: number): void;
}

/** The progress of a set of uploads. */
export interface UploadProgress {
  readonly mode: UploadProgressMode;
  /**
   * Starts showing a file: `name` as shown (`shownName`), `total` bytes, `startAt` bytes already on
   * the server (a resumed upload: the rate and time left count only what moves in this run).
   */
  add(name: string, total: number, startAt?: number): FileProgress;
  /** Writes a line for people on stderr: above the bars when live; as it is when plain; nothing when off. */
  note(line: string): void;
  /** Stops every bar (idempotent); notes written after go straight to stderr. */
  stop(): void;
}

/** Options of `startUploadProgress`. */
export interface UploadProgressOptions {
  /** Where the progress goes (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Plain mode: ms between two lines about a file still uploading (default 10 s). */
  plainEveryMs?: number;
  /** Files smaller than this many bytes get no bar nor plain lines (default 0: every file). */
  minBytes?: number;
  /** Live: the first word of the line that replaces a finished file's bar (default `uploaded`). */
  donePrefix?: string;
}

/** `n` bytes in binary units for people: `512 B`, `1.5 KiB`, `12.3 MiB`, `4.0 GiB`. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A transfer rate for people (`12.3 MiB/s`), or `-` before there is one. */
function rateText(bytes: number, ms: number): string {
  return ms > 0 && bytes > 0 ? `${humanBytes(Math.round((bytes * 1000) / ms))}/s` : '-';
}

/** The mode for stderr: live on a terminal, else `fallback` (plain lines, or off). */
export function progressModeFor(stream: NodeJS.WriteStream = process.stderr, fallback: 'plain' | 'off' = 'plain'): UploadProgressMode {
  return stream.isTTY ? 'live' : fallback;
}

const NOOP_FILE: FileProgress = { update: () => undefined, finish: () => undefined };

/**
 * Starts the progress of a set of uploads.
 * @param mode `live` (cli-progress bars), `plain` (a line per file every `plainEveryMs`), `off`.
 */
export async function startUploadProgress(mode: UploadProgressMode, options: UploadProgressOptions = {}): Promise<UploadProgress> {
  const stream = options.stream ?? process.stderr;
  const minBytes = options.minBytes ?? 0;
  const donePrefix = options.donePrefix ?? 'uploaded';
  if (mode === 'off') return { mode, add: () => NOOP_FILE, note: () => undefined, stop: () => undefined };
  if (mode === 'plain') return plainProgress(stream, options.plainEveryMs ?? 10_000, minBytes);
  const { MultiBar } = await import('cli-progress');
  let multi: InstanceType<typeof MultiBar> | undefined;
  let stopped = false;
  let width = 8;
  return {
    mode,
    add(name, total, startAt = 0) {
      if (stopped || total < minBytes) return NOOP_FILE;
      width = Math.max(width, Math.min(32, name.length));
      multi ??= new MultiBar({
        stream,
        format: ' {name} |{bar}| {percentage}% {sent}/{size} {rate} ETA {eta_formatted}',
        barsize: 24,
        hideCursor: true,
        gracefulExit: false,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        etaBuffer: 50,
        fps: 8,
      });
      const shown = name.length > 32 ? `…${name.slice(-31)}` : name; // the end of a path names the file
      const t0 = Date.now();
      const payload = (bytes: number) => ({ name: shown.padEnd(width), sent: humanBytes(bytes).padStart(10), size: humanBytes(total), rate: rateText(bytes - startAt, Date.now() - t0).padStart(12) });
      const bar = multi.create(Math.max(total, 1), total === 0 ? 1 : startAt, payload(startAt));
      return {
        update: (bytes) => bar.update(bytes, payload(bytes)),
        // A finished file's bar leaves the block (which stays as high as the uploads in flight) for a line above it.
        finish: (bytes) => {
          if (!multi || stopped) return;
          // Logged first: remove() redraws, and that flushes the log above the bars.
          if (bytes !== undefined) multi.log(`${donePrefix} ${name}: ${humanBytes(bytes)} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${rateText(bytes - startAt, Date.now() - t0)})\n`);
          multi.remove(bar);
        },
      };
    },
    note(line) {
      if (multi && !stopped) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi?.stop();
    },
  };
}

/** Plain mode: a line per file still uploading every `everyMs`. */
function plainProgress(stream: NodeJS.WriteStream, everyMs: number, minBytes: number): UploadProgress {
  const active = new Map<object, { name: string; total: number; startAt: number; bytes: number; t0: number }>();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    for (const f of active.values()) {
      const pct = f.total > 0 ? Math.floor((f.bytes / f.total) * 100) : 100;
      stream.write(`${f.name}: ${humanBytes(f.bytes)} of ${humanBytes(f.total)} (${pct}%), ${rateText(f.bytes - f.startAt, Date.now() - f.t0)}\n`);
    }
  };
  return {
    mode: 'plain',
    add(name, total, startAt = 0) {
      if (total < minBytes) return NOOP_FILE;
      const key = {};
      const f = { name, total, startAt, bytes: startAt, t0: Date.now() };
      active.set(key, f);
      if (!timer) {
        timer = setInterval(tick, everyMs);
        timer.unref();
      }
      return {
        update: (bytes) => (f.bytes = bytes),
        finish: () => {
          active.delete(key);
          if (active.size === 0 && timer) {
            clearInterval(timer);
            timer = undefined;
          }
        },
      };
    },
    note: (line) => void stream.write(`${line}\n`),
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      active.clear();
    },
  };
}
