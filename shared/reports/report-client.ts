/**
 * The sending end of the report channel: `ReportClient` sends one report to a work manager's
 * `AttemptReportService` and keeps resending it while the work manager cannot be reached (its Pod
 * being replaced, not ready yet). `remoteReportSink` wraps it as a fire-and-forget `ReportSink`.
 *
 * Resending is safe by construction: a report is a fact about one attempt (it started at `at`; it
 * ended with these details), not a command, so the same report twice means the same thing, and the
 * receiver dedupes it. A report the server took but whose answer was lost is simply sent again.
 */
import { credentials, status, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ReportSink, ToolReport } from '../executor/executor.js';
import { attemptToken } from './attempt-token.js';
import type { AttemptReportServiceClient } from './generated/toolflow/reports/v1/AttemptReportService.js';
import { CLIENT_KEEPALIVE, type ClientKeepalive } from './keepalive.js';
import { reportService } from './report-proto.js';
import { MAX_REQUEST_BYTES, toRequest } from './report-wire.js';
import type { ExitRequest } from './generated/toolflow/reports/v1/ExitRequest.js';
import type { KeepaliveRequest } from './generated/toolflow/reports/v1/KeepaliveRequest.js';
import type { StartRequest } from './generated/toolflow/reports/v1/StartRequest.js';

/**
 * How a send ended: taken (`accepted`); about an attempt that is not the task's current one, so
 * none of its reports matter any more (`stale`, FAILED_PRECONDITION); refused for good, resending
 * would not help (`refused`: PERMISSION_DENIED, INVALID_ARGUMENT, or another non-retryable status);
 * or abandoned (`gave-up`: `giveUpAfterMs` passed, or `signal` aborted).
 */
export type SendOutcome = 'accepted' | 'stale' | 'refused' | 'gave-up';

/** Options of a ReportClient. */
export interface ReportClientOptions {
  /** The work manager's `host:port` (`tf-<task>-wm.<namespace>.svc:50051`). */
  address: string;
  /** Deadline of each call, ms (default 5000); the last one is cut to what is left before giving up. */
  deadlineMs?: number;
  /** Where resends (debug), refusals (error) and giving up (warn) are logged; never a token. */
  log?: Logger;
  /** Keepalive settings over CLIENT_KEEPALIVE (tests scale them down). */
  keepalive?: Partial<ClientKeepalive>;
}

/**
 * Waits between resends: gRPC's connection backoff (https://github.com/grpc/grpc/blob/master/doc/connection-backoff.md)
 * scaled down, since a work manager comes back within seconds: 250 ms, × 1.6 per try, capped at
 * 5 s, each wait ± 20 % at random (so sidecars that lost the same work manager do not resend in step).
 */
export const RESEND_BACKOFF = { initialMs: 250, multiplier: 1.6, maxMs: 5_000, jitter: 0.2 } as const;

/** The wait before resend number `n` (0 for the first), ms. */
export function resendDelayMs(n: number, random: () => number = Math.random): number {
  const { initialMs, multiplier, maxMs, jitter } = RESEND_BACKOFF;
  const base = Math.min(maxMs, initialMs * multiplier ** n);
  return base * (1 - jitter + 2 * jitter * random());
}

/** Least time worth a last call before giving up, ms. */
const MIN_LAST_CALL_MS = 100;

/** Statuses worth a resend: the server is not there or not ready, or the call ran out of time. */
const RETRYABLE = new Set<status>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
/** A connection lost under a call surfaces in other statuses too (a reset stream, a closed socket). */
const CONNECTION_LOST = /ECONNRESET|ECONNREFUSED|EPIPE|RST_STREAM|Connection dropped|socket hang up|GOAWAY/i;

/** Sends reports to one work manager. */
export class ReportClient {
  private readonly client: AttemptReportServiceClient;
  private readonly deadlineMs: number;
  private readonly log: Logger | undefined;
  private closed = false;

  constructor(private readonly o: ReportClientOptions) {
    const { Client } = reportService();
    this.deadlineMs = o.deadlineMs ?? 5_000;
    this.log = o.log;
    this.client = new Client(o.address, credentials.createInsecure(), {
      ...CLIENT_KEEPALIVE,
      ...o.keepalive,
      // The channel's own reconnect backoff (grpc-js default: up to 120 s) would keep failing
      // resends long after the work manager is back; keep it as short as ours.
      'grpc.initial_reconnect_backoff_ms': RESEND_BACKOFF.initialMs,
      'grpc.max_reconnect_backoff_ms': RESEND_BACKOFF.maxMs,
      'grpc.max_send_message_length': MAX_REQUEST_BYTES,
      'grpc.max_receive_message_length': 16 * 1024,
    });
  }

  /**
   * Sends `report` with the attempt's `token`, resending (RESEND_BACKOFF) on UNAVAILABLE,
   * DEADLINE_EXCEEDED and lost connections (refused, reset), until accepted, stale, refused,
   * `giveUpAfterMs` (ms from now; default: never) or `signal` (an aborted call is cancelled).
   * Never throws; logs resends at debug, a refusal at error, giving up at warn (never the token).
   */
  async send(report: ToolReport, token: string, options: { giveUpAfterMs?: number; signal?: AbortSignal } = {}): Promise<SendOutcome> {
    const giveUpAt = performance.now() + (options.giveUpAfterMs ?? Infinity);
    const what = { kind: report.kind, taskId: report.taskId, tool: report.tool, attempt: report.attempt, address: this.o.address };
    const request = toRequest(report, token);
    for (let n = 0; ; n++) {
      const left = giveUpAt - performance.now();
      if (options.signal?.aborted || this.closed || left <= 0) return this.gaveUp(what, n);
      const err = await this.call(report.kind, request, Math.min(this.deadlineMs, left), options.signal);
      if (!err) return 'accepted';
      if (err.code === status.FAILED_PRECONDITION) {
        this.log?.debug({ ...what, details: err.details }, 'report is stale: not resent');
        return 'stale';
      }
      if (options.signal?.aborted || this.closed) return this.gaveUp(what, n + 1);
      if (!RETRYABLE.has(err.code) && !CONNECTION_LOST.test(err.details ?? '')) {
        this.log?.error({ ...what, code: status[err.code], details: err.details }, 'report refused by the work manager: not resent');
        return 'refused';
      }
      // The wait is cut to leave the last call MIN_LAST_CALL_MS; with less than that left, give up now.
      const delay = Math.min(resendDelayMs(n), giveUpAt - performance.now() - MIN_LAST_CALL_MS);
      if (delay < 0) return this.gaveUp(what, n + 1);
      this.log?.debug({ ...what, code: status[err.code], details: err.details, resendInMs: Math.round(delay) }, 'report not delivered: resending');
      await sleep(delay, options.signal);
    }
  }

  /** Closes the channel; sends in flight, and any later, end with `gave-up`. */
  close(): void {
    this.closed = true;
    this.client.close();
  }

  private gaveUp(what: object, tries: number): 'gave-up' {
    this.log?.warn({ ...what, tries }, 'report not delivered: gave up');
    return 'gave-up';
  }

  /** One call. @returns null when OK, else the error (CANCELLED when `signal` aborted it). */
  private call(kind: ToolReport['kind'], request: ReturnType<typeof toRequest>, deadlineMs: number, signal?: AbortSignal): Promise<ServiceError | null> {
    return new Promise((resolve) => {
      const opts = { deadline: new Date(Date.now() + deadlineMs) };
      let call: ClientUnaryCall | undefined;
      const cancel = () => call?.cancel();
      const done = (err: ServiceError | null) => {
        signal?.removeEventListener('abort', cancel);
        resolve(err);
      };
      try {
        if (kind === 'start') call = this.client.start(request as StartRequest, opts, done);
        else if (kind === 'keepalive') call = this.client.keepalive(request as KeepaliveRequest, opts, done);
        else call = this.client.exit(request as ExitRequest, opts, done);
      } catch (err) {
        // grpc-js throws at once on a closed channel.
        return resolve({ code: status.CANCELLED, details: (err as Error).message } as ServiceError);
      }
      signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A ReportSink that sends over gRPC, with `flush` (wait for what was handed to it) and `close`. */
export type RemoteReportSink = ReportSink & {
  /** Resolves once every report handed over so far has been sent, or given up. */
  flush(): Promise<void>;
  /** Gives up the sends in flight and closes the channel; later reports are dropped (logged). */
  close(): void;
};

/**
 * A ReportSink (fire-and-forget, resent as `ReportClient.send`) that mints each report's token from
 * `secret`; for processes that hold the secret (schedule-tool's launch errors, the local executor
 * when the work manager is another process). Reports of one attempt go out one at a time, in the
 * order given (a Start before its Exit); attempts do not wait for each other. A keepalive still
 * waiting behind another report is replaced by a newer one. After a `stale` outcome, the attempt's
 * queued reports are dropped (they are stale too). Each send gives up after `giveUpAfterMs`
 * (default 60 000 ms).
 */
export function remoteReportSink(address: string, secret: string, log: Logger, options: { giveUpAfterMs?: number; deadlineMs?: number } = {}): RemoteReportSink {
  const client = new ReportClient({ address, log, deadlineMs: options.deadlineMs });
  const closing = new AbortController();
  const giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
  /** Per attempt: reports not yet sent, and the loop sending them. */
  const queues = new Map<string, { pending: ToolReport[]; sending: Promise<void> }>();

  const drain = async (key: string, pending: ToolReport[]) => {
    for (let report = pending.shift(); report; report = pending.shift()) {
      const token = attemptToken(secret, { taskId: report.taskId, tool: report.tool, attempt: report.attempt });
      const outcome = await client.send(report, token, { giveUpAfterMs, signal: closing.signal });
      if (outcome === 'stale') pending.length = 0;
    }
    queues.delete(key);
  };

  const sink = ((report: ToolReport) => {
    if (closing.signal.aborted) {
      log.warn({ kind: report.kind, taskId: report.taskId, tool: report.tool, attempt: report.attempt }, 'report dropped: the report sink is closed');
      return;
    }
    const key = `${report.taskId}\0${report.tool}\0${report.attempt}`;
    const queue = queues.get(key);
    if (!queue) {
      const pending = [report];
      queues.set(key, { pending, sending: drain(key, pending) });
      return;
    }
    const last = queue.pending.length - 1;
    if (report.kind === 'keepalive' && queue.pending[last]?.kind === 'keepalive') queue.pending[last] = report;
    else queue.pending.push(report);
  }) as RemoteReportSink;

  sink.flush = async () => {
    while (queues.size > 0) await Promise.all([...queues.values()].map((q) => q.sending));
  };
  sink.close = () => {
    closing.abort();
    client.close();
  };
  return sink;
}
