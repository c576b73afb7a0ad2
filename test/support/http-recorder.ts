/**
 * An HTTP proxy on loopback that records every request it forwards (`METHOD path?query`) and can
 * fail chosen ones with 500, so a test can interrupt an upload and see from the wire what the
 * client did next (s3rver itself keeps no multipart state a test could list).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface HttpRecorder {
  port: number;
  /** Requests seen, in order: `PUT /bucket/key?partNumber=2&uploadId=…`. */
  requests: string[];
  /** Requests for which this returns true are answered 500 instead of being forwarded. */
  failWhen: (req: IncomingMessage) => boolean;
  /** Milliseconds to hold each request before forwarding it (a slow network). */
  delayMs: number;
  close(): Promise<void>;
}

/** Starts a recording proxy to `http://127.0.0.1:<port>`. */
export async function startHttpRecorder(targetPort: number): Promise<HttpRecorder> {
  const recorder: HttpRecorder = {
    port: 0,
    requests: [],
    failWhen: () => false,
    delayMs: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    recorder.requests.push(`${req.method} ${req.url}`);
    if (recorder.failWhen(req)) {
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test</Message></Error>');
      });
      return;
    }
    const forward = () => {
      const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (recorder.delayMs > 0) {
      req.pause();
      setTimeout(forward, recorder.delayMs);
    } else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  recorder.port = (server.address() as { port: number }).port;
  return recorder;
}
