/**
 * The work manager's report endpoint in cluster mode: a gRPC server of `AttemptReportService`
 * (proto/toolflow/reports/v1/reports.proto) that turns each Start / Keepalive / Exit request into a
 * `ToolReport` and hands it to `deliver`. Plain HTTP/2 (no TLS): each request carries its attempt's
 * token, which is all a sender can prove; the token is never logged nor echoed.
 *
 * Status per request, in the order checked:
 * - INVALID_ARGUMENT: `attempt` missing or malformed (empty task id, attempt 0…), the message naming the field;
 * - PERMISSION_DENIED: the token is not the attempt's (`checkAttemptToken`);
 * - INVALID_ARGUMENT: another field malformed (at_ms 0, a stderr tail over 64 KiB…);
 * - then `deliver`'s verdict: accepted → OK, stale → FAILED_PRECONDITION, unavailable → UNAVAILABLE;
 *   `deliver` throwing → INTERNAL (logged).
 */
import { Server, ServerCredentials, status, type ServerErrorResponse, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ToolReport } from '../executor/executor.js';
import { checkAttemptToken } from './attempt-token.js';
import { SERVER_KEEPALIVE, type ServerKeepalive } from './keepalive.js';
import { enforcePingPolicyOn, pingPolicyOf } from './ping-policy.js';
import { reportService } from './report-proto.js';
import { InvalidReportError, MAX_REQUEST_BYTES, readAttemptRef, readReport, type ReceivedRequests } from './report-wire.js';

/** What the work manager made of a report: taken, about an older or unknown attempt, or not ready for it yet. */
export type ReportVerdict = 'accepted' | 'stale' | 'unavailable';

/** Options of `startReportServer`. */
export interface ReportServerOptions {
  /** `host:port` to listen on (`0.0.0.0:50051` in a Pod); port 0 picks a free port. */
  listen: string;
  /** The deployment's report secret (`TOOLFLOW_REPORT_SECRET`), from which attempt tokens are made. */
  secret: string;
  /** Takes a checked report; called once per request (a resent report comes again: dedupe there). */
  deliver(report: ToolReport): ReportVerdict;
  /** Where refusals and GOAWAYs (warn), deliver failures (error) and each report (trace) are logged; never a token. */
  log: Logger;
  /** Keepalive settings over SERVER_KEEPALIVE (tests scale them down). */
  keepalive?: Partial<ServerKeepalive>;
}

/** A running report server. */
export interface ReportServer {
  /** The port it listens on (the one picked when `listen` said 0). */
  readonly port: number;
  /** Stops taking connections and ends the open ones (calls in flight get 2 s to finish). Resolves once stopped. */
  close(): Promise<void>;
}

/** Responses carry no fields. */
const MAX_RESPONSE_BYTES = 16 * 1024;
/** How long `close` lets calls in flight finish before cutting them, ms. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Starts the report server. Server options: SERVER_KEEPALIVE (overridden by `o.keepalive`), with its
 * ping rule enforced (`ping-policy.ts`), requests up to MAX_REQUEST_BYTES (larger: RESOURCE_EXHAUSTED).
 * @throws Error when it cannot listen on `o.listen` (address in use, bad address).
 */
export async function startReportServer(o: ReportServerOptions): Promise<ReportServer> {
  const keepalive: ServerKeepalive = { ...SERVER_KEEPALIVE, ...o.keepalive };
  const server = new Server({
    ...keepalive,
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_send_message_length': MAX_RESPONSE_BYTES,
  });
  const { definition } = reportService();
  server.addService(definition, {
    Start: handler('start', o),
    Keepalive: handler('keepalive', o),
    Exit: handler('exit', o),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(o.listen, ServerCredentials.createInsecure(), (err, p) => (err ? reject(new Error(`the report server cannot listen on ${o.listen}: ${err.message}`)) : resolve(p))),
  );
  enforcePingPolicyOn(server, pingPolicyOf(keepalive), o.log);
  o.log.info({ listen: o.listen, port }, 'report server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.forceShutdown(), CLOSE_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(cut);
          resolve();
        });
      }),
  };
}

type Reply = sendUnaryData<Record<string, never>>;

/** The handler of one method: checks, converts, delivers, answers. */
function handler<K extends ToolReport['kind']>(kind: K, o: ReportServerOptions) {
  return (call: ServerUnaryCall<ReceivedRequests[K], Record<string, never>>, reply: Reply): void => {
    const refuse = (code: status, details: string) => reply({ code, details } as Partial<ServerErrorResponse> as ServerErrorResponse);
    let report: ToolReport;
    try {
      const ref = readAttemptRef(call.request.attempt);
      const { taskId, tool, attempt } = ref.subject;
      if (!checkAttemptToken(o.secret, ref.subject, ref.token)) {
        o.log.warn({ kind, taskId, tool, attempt, peer: call.getPeer() }, 'report refused: its token is not the token of the attempt it names');
        return refuse(status.PERMISSION_DENIED, `the token is not the token of attempt ${attempt} of tool ${tool} in task ${taskId}: send that attempt's TOOLFLOW_REPORT_TOKEN`);
      }
      report = readReport(kind, call.request, ref.subject);
    } catch (err) {
      if (!(err instanceof InvalidReportError)) {
        o.log.error({ err, kind }, 'report server: reading a request failed');
        return refuse(status.INTERNAL, 'the work manager failed to read the report; its log says why');
      }
      o.log.warn({ kind, peer: call.getPeer(), err: err.message }, 'report refused: malformed');
      return refuse(status.INVALID_ARGUMENT, err.message);
    }
    let verdict: ReportVerdict;
    try {
      verdict = o.deliver(report);
    } catch (err) {
      o.log.error({ err, kind, taskId: report.taskId, tool: report.tool, attempt: report.attempt }, 'report server: deliver failed');
      return refuse(status.INTERNAL, 'the work manager failed to take the report; its log says why');
    }
    o.log.trace({ kind, taskId: report.taskId, tool: report.tool, attempt: report.attempt, verdict }, 'report received');
    if (verdict === 'accepted') return reply(null, {});
    if (verdict === 'stale') {
      return refuse(status.FAILED_PRECONDITION, `attempt ${report.attempt} of tool ${report.tool} is not the current attempt of task ${report.taskId}: stop sending its reports`);
    }
    return refuse(status.UNAVAILABLE, `no work manager is ready for task ${report.taskId} yet: send again later`);
  };
}
