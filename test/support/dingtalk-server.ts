/**
 * A DingTalk-like custom robot server on loopback, for the notify tests. It checks a request as
 * DingTalk does (its "custom robot" and "security settings" documentation) and answers as DingTalk
 * does: HTTP 200 with `{"errcode", "errmsg"}`, `errcode` 0 on success.
 *
 * - `POST /robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]`, the query decoded **once**
 *   (`URLSearchParams`, as a servlet container reads parameters: `%2B` is `+`, a raw `+` is a space).
 * - An unknown token: `300001 token is not exist`.
 * - A robot with a secret: `timestamp` must be milliseconds within 1 hour of this server's clock
 *   (else `310000 invalid timestamp`), and `sign` must equal Base64(HMAC-SHA256(secret,
 *   `timestamp + "\n" + secret`)), recomputed here (else `310000 sign not match`).
 * - A robot with keywords: the title or text must hold one (else `310000 keywords not in content`).
 * - The body must be JSON `{"msgtype": "markdown", "markdown": {"title", "text"}}` with non-empty
 *   strings; anything else is recorded in `violations` and answered `400105` (message type not
 *   supported). A text past `maxTextBytes` is recorded in `violations` too (and answered `499999`,
 *   a code of this server only: DingTalk documents no answer for it).
 * - At most 20 messages per robot in any 60 s of this server's clock (a message at t counts until
 *   t + 60 s); past that `130101 send too fast, exceed 20 times per minute`.
 * - `script(token, …answers)` makes the next requests of a robot get the answers given, in order
 *   (each documented errcode, an HTTP status, a dropped connection, no answer), after the checks above pass.
 *
 * Accepted messages are recorded in `messages`, every request in `requests`. The clock is
 * injectable (`now`), so the ±1 h and the window follow a test's own clock.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** A robot this server knows. */
export interface RobotConfig {
  /** Its signing secret: requests must be signed with it. */
  secret?: string;
  /** Its keywords: a message must hold one of them. */
  keywords?: string[];
}

/** A scripted answer: a DingTalk errcode (with its errmsg), an HTTP status with a body, a connection dropped before any answer, or no answer ever (`hang`: the request is held until the client goes away). */
export type ScriptedAnswer = { errcode: number; errmsg?: string } | { status: number; body?: string } | { drop: true } | { hang: true };

/** A message the server accepted. */
export interface RobotMessage {
  token: string;
  title: string;
  text: string;
  /** The server's clock when it came, epoch ms. */
  at: number;
}

/** One request and what it was answered. */
export interface RobotRequest {
  token: string | null;
  /** The raw query string as received (after `?`). */
  rawQuery: string;
  /** HTTP status, 0 for a dropped connection, -1 for a request held unanswered (`hang`). */
  status: number;
  /** For a held request: set when the client closed the connection (it gave up, or its process ended). */
  clientGone?: boolean;
  errcode?: number;
  errmsg?: string;
  body: string;
}

/** The documented errcodes and their errmsg, for `script` (DingTalk's custom robot documentation and answers seen in the wild). */
export const ERRCODES = {
  busy: { errcode: -1, errmsg: '系统繁忙' },
  tooFast: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' },
  tokenNotExist: { errcode: 300001, errmsg: 'token is not exist' },
  signNotMatch: { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' },
  invalidTimestamp: { errcode: 310000, errmsg: 'invalid timestamp' },
  keywordsNotInContent: { errcode: 310000, errmsg: 'keywords not in content' },
  ipNotInWhitelist: { errcode: 310000, errmsg: 'ip X.X.X.X not in whitelist' },
  groupDisbanded: { errcode: 400013, errmsg: '群已被解散' },
  noAccessToken: { errcode: 400101, errmsg: 'access_token不存在' },
  robotDisabled: { errcode: 400102, errmsg: '机器人已停用' },
  typeNotSupported: { errcode: 400105, errmsg: '不支持的消息类型' },
  noRobot: { errcode: 400106, errmsg: '机器人不存在' },
  throttled: { errcode: 410100, errmsg: '发送速度太快而限流' },
  unsafeLink: { errcode: 430101, errmsg: '含有不安全的外链' },
  badText: { errcode: 430102, errmsg: '含有不合适的文本' },
  badImage: { errcode: 430103, errmsg: '含有不合适的图片' },
  badContent: { errcode: 430104, errmsg: '含有不合适的内容' },
} as const;

/** A running robot server. */
export interface DingTalkServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The webhook URL of a robot: `<url>/robot/send?access_token=<token>`. */
  robotUrl(token: string): string;
  /** Makes `token` a robot (with a secret and keywords, if given). */
  addRobot(token: string, config?: RobotConfig): void;
  /** The next requests of `token` (past the checks) get these answers, in order. */
  script(token: string, ...answers: ScriptedAnswer[]): void;
  messages: RobotMessage[];
  requests: RobotRequest[];
  /** What a well-behaved client must never send: a wrong shape, an oversize text. */
  violations: string[];
  /** The server's clock (epoch ms); a test may replace it. */
  now: () => number;
  /** Largest text taken, bytes of UTF-8. */
  maxTextBytes: number;
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;
const PER_WINDOW = 20;
const HOUR_MS = 3_600_000;

/** Starts a robot server on a free loopback port. */
export async function startDingTalkServer(options: { maxTextBytes?: number } = {}): Promise<DingTalkServer> {
  const robots = new Map<string, RobotConfig>();
  const scripts = new Map<string, ScriptedAnswer[]>();
  const sent = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
      const query = new URLSearchParams(rawQuery); // decoded once
      const token = query.get('access_token');
      const record: RobotRequest = { token, rawQuery, status: 200, body };
      robot.requests.push(record);
      const answer = (errcode: number, errmsg: string, status = 200) => {
        Object.assign(record, { status, errcode, errmsg });
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify({ errcode, errmsg }));
      };
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/robot/send') {
        record.status = 404;
        res.writeHead(404).end('not found');
        return;
      }
      const config = token === null ? undefined : robots.get(token);
      if (!config || token === null) return answer(ERRCODES.tokenNotExist.errcode, ERRCODES.tokenNotExist.errmsg);
      const now = robot.now();
      if (config.secret !== undefined) {
        const timestamp = query.get('timestamp');
        const sign = query.get('sign');
        if (!timestamp || !/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - now) > HOUR_MS) return answer(ERRCODES.invalidTimestamp.errcode, ERRCODES.invalidTimestamp.errmsg);
        const expected = createHmac('sha256', Buffer.from(config.secret, 'utf8')).update(`${timestamp}\n${config.secret}`, 'utf8').digest('base64');
        if (sign !== expected) return answer(ERRCODES.signNotMatch.errcode, ERRCODES.signNotMatch.errmsg);
      }
      let message: { msgtype?: unknown; markdown?: { title?: unknown; text?: unknown } };
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        robot.violations.push(`not JSON: ${body.slice(0, 100)}`);
        return answer(ERRCODES.typeNotSupported.errcode, ERRCODES.typeNotSupported.errmsg);
      }
      const title = message.markdown?.title;
      const text = message.markdown?.text;
      if (message.msgtype !== 'markdown' || typeof title !== 'string' || !title || typeof text !== 'string' || !text) {
        robot.violations.push(`not a markdown message: ${body.slice(0, 200)}`);
        return answer(ERRCODES.typeNotSupported.errcode, ERRCODES.typeNotSupported.errmsg);
      }
      if (Buffer.byteLength(text, 'utf8') > robot.maxTextBytes) {
        robot.violations.push(`text of ${Buffer.byteLength(text, 'utf8')} bytes, more than ${robot.maxTextBytes}`);
        return answer(499999, `test server: text longer than ${robot.maxTextBytes} bytes`);
      }
      if (config.keywords?.length && !config.keywords.some((k) => title.includes(k) || text.includes(k))) return answer(ERRCODES.keywordsNotInContent.errcode, ERRCODES.keywordsNotInContent.errmsg);
      const window = (sent.get(token) ?? []).filter((t) => t > now - WINDOW_MS);
      sent.set(token, window);
      if (window.length >= PER_WINDOW) return answer(ERRCODES.tooFast.errcode, ERRCODES.tooFast.errmsg);
      const scripted = scripts.get(token)?.shift();
      if (scripted) {
        if ('hang' in scripted) {
          record.status = -1;
          res.on('close', () => (record.clientGone = true));
          return;
        }
        if ('drop' in scripted) {
          record.status = 0;
          req.socket.destroy();
          return;
        }
        if ('status' in scripted) {
          record.status = scripted.status;
          res.writeHead(scripted.status, { 'content-type': 'text/plain' }).end(scripted.body ?? '');
          return;
        }
        if (scripted.errcode !== 0) return answer(scripted.errcode, scripted.errmsg ?? '');
      }
      window.push(now);
      robot.messages.push({ token, title, text, at: now });
      answer(0, 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const robot: DingTalkServer = {
    url,
    robotUrl: (token) => `${url}/robot/send?access_token=${token}`,
    addRobot: (token, config = {}) => void robots.set(token, config),
    script: (token, ...answers) => void scripts.set(token, [...(scripts.get(token) ?? []), ...answers]),
    messages: [],
    requests: [],
    violations: [],
    now: () => Date.now(),
    maxTextBytes: options.maxTextBytes ?? 20_000,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return robot;
}
