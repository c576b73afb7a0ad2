import type { AttemptRequest, Executor, ReportSink, ToolReport } from '../../shared/executor/executor.js';

/** What the fake does with one attempt: report an exit (or nothing), after an optional start. */
export type Script = (req: AttemptRequest) => { start?: boolean; exit?: Partial<Extract<ToolReport, { kind: 'exit' }>> | null; delayMs?: number; extra?: (sink: ReportSink) => void };

/**
 * An executor port for work-manager tests: it runs nothing, and reports what a script says.
 * It records every start and the most attempts running at once.
 */
export class FakeExecutor implements Executor {
  readonly capacity;
  readonly started: AttemptRequest[] = [];
  readonly cancelled: string[] = [];
  running = 0;
  maxRunning = 0;
  private readonly pending = new Map<string, () => void>();

  constructor(
    private readonly script: Script,
    capacity = { cpuMillicores: 2000, memBytes: 8e9, diskBytes: null },
  ) {
    this.capacity = capacity;
  }

  workDirOf(taskId: string, tool: string, attempt: number): string {
    return `/fake/${taskId}/${tool}/${attempt}`;
  }

  async start(req: AttemptRequest, sink: ReportSink): Promise<void> {
    // As the port says: a second start of the same attempt does nothing.
    if (this.started.some((r) => r.taskId === req.taskId && r.tool === req.tool && r.attempt === req.attempt)) return;
    this.started.push(req);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const plan = this.script(req);
    const ref = { taskId: req.taskId, tool: req.tool, attempt: req.attempt };
    const finish = (exit: Partial<Extract<ToolReport, { kind: 'exit' }>>) => {
      if (!this.pending.delete(`${req.tool}/${req.attempt}`)) return;
      this.running--;
      sink({ kind: 'exit', ...ref, at: Date.now(), exitCode: 0, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [], ...exit });
    };
    this.pending.set(`${req.tool}/${req.attempt}`, () => finish({ exitCode: null, signal: 'SIGTERM' }));
    setTimeout(() => {
      if (plan.start !== false) sink({ kind: 'start', ...ref, at: Date.now() });
      plan.extra?.(sink);
      if (plan.exit !== null) setTimeout(() => finish(plan.exit ?? {}), plan.delayMs ?? 5);
    }, 1);
  }

  async cancel(_taskId: string, tool: string, attempt: number, _graceSeconds?: number): Promise<void> {
    this.cancelled.push(`${tool}/${attempt}`);
    this.pending.get(`${tool}/${attempt}`)?.();
  }

  /** Leftovers `stopLeftover` was asked about, as `tool/attempt`. */
  readonly leftoverChecks: string[] = [];

  async stopLeftover(_taskId: string, tool: string, attempt: number): Promise<boolean> {
    this.leftoverChecks.push(`${tool}/${attempt}`);
    return false;
  }

  async close(): Promise<void> {}
}
