/**
 * toolflow processes started as a deployment starts them (the built CLI, on loopback), every
 * byte each writes on stdout and stderr kept, for tests of what toolflow logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../support/cli.js';

/** One process's output. */
export interface Output {
  /** `dev`, `function notify`, `connector`, `run`, … */
  name: string;
  stdout: string;
  stderr: string;
}

/** A service process (it runs until stopped). */
export interface Service {
  name: string;
  child: ChildProcess;
  output: Output;
  /** What `ready` matched in its stderr. */
  match: RegExpMatchArray;
}

/** One JSON log line, parsed, with the process it came from. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string; process: string; stream: 'stdout' | 'stderr' };

/** Every process this set started, and their outputs. */
export class Processes {
  readonly outputs: Output[] = [];
  private readonly services: Service[] = [];

  /**
   * Starts `toolflow ARGS` with `env`; resolves once `ready` matches its stderr.
   * @throws Error with its output when it exits first or is not ready within 60 s.
   */
  async start(name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Service> {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Output = { name, stdout: '', stderr: '' };
    this.outputs.push(output);
    child.stdout!.on('data', (d: Buffer) => (output.stdout += d.toString()));
    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} was not ready within 60 s: ${output.stderr}${output.stdout}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        output.stderr += d.toString();
        const m = ready.exec(output.stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited ${code} before it was ready: ${output.stderr}${output.stdout}`));
      });
    });
    const service = { name, child, output, match };
    this.services.push(service);
    return service;
  }

  /**
   * Runs `toolflow ARGS` to its end with `env`.
   * @param keep false for a command whose stdout is itself a secret (`token create`): its stderr is kept, its stdout is not.
   */
  run(name: string, args: string[], env: NodeJS.ProcessEnv, keep = true): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Output = { name, stdout: '', stderr: '' };
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
    this.outputs.push(output);
    return new Promise((resolve) => {
      child.on('close', (code) => {
        if (keep) output.stdout = stdout;
        resolve({ code, stdout, stderr: output.stderr });
      });
    });
  }

  /** Stops every service with SIGTERM (each flushes its log), SIGKILL after 15 s; resolves once all have exited. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.services.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
            s.child.once('close', () => resolve());
            s.child.kill('SIGTERM');
            setTimeout(() => s.child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
  }

  /** Kills what is still running (afterAll). */
  killAll(): void {
    for (const s of this.services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }

  /** Every line of every output that is a JSON object with a numeric `level` (pino's), parsed. */
  logLines(): LogLine[] {
    const out: LogLine[] = [];
    for (const o of this.outputs) {
      for (const stream of ['stdout', 'stderr'] as const) {
        for (const line of o[stream].split('\n')) {
          if (!line.startsWith('{')) continue;
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch {
            continue;
          }
          if (parsed && typeof parsed === 'object' && typeof (parsed as { level?: unknown }).level === 'number') out.push({ ...(parsed as Record<string, unknown>), level: (parsed as { level: number }).level, process: o.name, stream });
        }
      }
    }
    return out;
  }
}
