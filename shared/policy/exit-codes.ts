/**
 * Names for exit codes above 128. A shell reports a command killed by signal N as exit code 128 + N
 * (bash(1), "EXIT STATUS"; Kubernetes reports a container's the same way), so 137 is SIGKILL, 139
 * SIGSEGV, 141 SIGPIPE, 143 SIGTERM. Signal numbers are this platform's, from `os.constants.signals`.
 */
import { constants } from 'node:os';

/** Signal name by number, the first name Node lists for it (SIGABRT rather than SIGIOT). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

/** What the common signals mean for a tool, for people. */
const MEANING: Record<string, string> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupted',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap, as V8 (Node.js) aborts on a fatal error',
  SIGABRT: 'aborted: abort() or a failed assertion',
  SIGBUS: 'bus error: a bad memory access, e.g. to a truncated memory-mapped file',
  SIGFPE: 'arithmetic error, e.g. an integer division by zero',
  SIGKILL: 'killed',
  SIGSEGV: 'segmentation fault: an invalid memory access',
  SIGPIPE:
    'it wrote to a pipe whose reader had already exited, as the writer in `yes | head` does; under `set -o pipefail`, which tools run with, that fails the pipeline: write the writer as `{ yes || true; } | head` where an early end of the reader is expected',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
  SIGXCPU: 'cpu time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
};

/**
 * The signal an exit code above 128 stands for.
 * @param exitCode e.g. 141.
 * @returns e.g. `{ number: 13, name: 'SIGPIPE' }`, or null for a code that is not 128 + a known signal.
 */
export function signalOfExitCode(exitCode: number | null): { number: number; name: string } | null {
  if (exitCode === null || exitCode <= 128) return null;
  const name = SIGNAL_NAMES.get(exitCode - 128);
  return name ? { number: exitCode - 128, name } : null;
}

/**
 * "exited with code N", with the signal named for codes above 128.
 * @returns e.g. `exited with code 139 (signal 11, SIGSEGV: segmentation fault: an invalid memory access)`.
 */
export function describeExitCode(exitCode: number | null): string {
  const sig = signalOfExitCode(exitCode);
  if (!sig) return `exited with code ${exitCode}`;
  const meaning = MEANING[sig.name];
  return `exited with code ${exitCode} (signal ${sig.number}, ${sig.name}${meaning ? `: ${meaning}` : ''})`;
}
