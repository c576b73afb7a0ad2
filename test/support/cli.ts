/**
 * Running the `toolflow` CLI (the built `bin/toolflow.js`) as a user would, for end-to-end tests.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const BIN = join(import.meta.dirname, '../../bin/toolflow.js');

/** The result of a finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; never throws on a non-zero exit. */
export async function toolflow(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A CLI run in the background. */
export interface BackgroundRun {
  child: ChildProcess;
  exitCode: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Starts the CLI in the background. */
export function startToolflow(args: string[], env: Record<string, string>): BackgroundRun {
  const child = execFile('node', [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exitCode = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, exitCode, stdout: () => stdout, stderr: () => stderr };
}

/** Waits until `test` is true (every 50 ms, at most `ms`). @throws when it never is. */
export async function until(test: () => boolean, ms = 30_000, what = 'the condition'): Promise<void> {
  for (const t0 = Date.now(); !test(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Waits for a file to exist and returns its text. */
export async function fileText(path: string, ms = 30_000): Promise<string> {
  await until(() => existsSync(path) && readFileSync(path, 'utf8').length > 0, ms, path);
  return readFileSync(path, 'utf8');
}
