// A sending process of the cluster benchmark (bench/cluster.mjs): keepalive reports over gRPC with
// toolflow's own `ReportClient` (dist/), each carrying its attempt's token, so the sender's CPU is
// not the server's. Driven over IPC (bench/cluster-ipc.mjs). Commands:
//
// - `flood { address, secret, attempts, concurrency, ms }`: one channel (one HTTP/2 connection);
//   `concurrency` loops, each sending a keepalive for the next attempt (round robin) as soon as the
//   one before is answered, for `ms`. @returns { accepted, other, ms, p50, p99 } (latencies in ms).
// - `connect { address, secret, attempts, spreadMs }`: one channel per attempt, as one sidecar each
//   (a local subchannel pool, so each has its own connection and its own keepalive pings), each
//   sending one keepalive, spread evenly over `spreadMs`. @returns { accepted, other }.
// - `pace { periodMs, ms, slot, slots }`: over the connected channels, a keepalive per attempt every
//   `periodMs`, for `ms`; this process's attempt j sends at offset (j·slots + slot)·periodMs / total
//   in each period, `total` being every process's attempts, so the arrivals of all processes
//   interleave evenly. @returns { sent, accepted, other, lateMs } (the worst lag behind schedule).
import { pct } from './http-support.mjs';
import { serveCommands } from './cluster-ipc.mjs';

const dist = new URL('../dist/shared/', import.meta.url);
const { ReportClient } = await import(new URL('reports/report-client.js', dist).href);
const { attemptToken } = await import(new URL('reports/attempt-token.js', dist).href);

const keepalive = (a) => ({ kind: 'keepalive', taskId: a.taskId, tool: a.tool, attempt: a.attempt, at: Date.now(), memBytes: 52_428_800 });
let channels = [];

serveCommands({
  async flood({ address, secret, attempts, concurrency, ms }) {
    const client = new ReportClient({ address });
    const tokens = attempts.map((a) => attemptToken(secret, a));
    let next = 0;
    let accepted = 0;
    let other = 0;
    const times = [];
    // One call first, so the connection is up before the clock starts.
    await client.send(keepalive(attempts[0]), tokens[0]);
    const t0 = performance.now();
    const end = t0 + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const i = next++ % attempts.length;
          const s = performance.now();
          const outcome = await client.send(keepalive(attempts[i]), tokens[i], { giveUpAfterMs: 10_000 });
          const e = performance.now();
          if (e > end) break; // answered after the window: not counted
          if (outcome === 'accepted') accepted++;
          else other++;
          times.push(e - s);
        }
      }),
    );
    const took = performance.now() - t0;
    client.close();
    return { accepted, other, ms: took, p50: pct(times, 50), p99: pct(times, 99) };
  },
  async connect({ address, secret, attempts, spreadMs }) {
    channels = attempts.map((a) => ({ a, token: attemptToken(secret, a), client: new ReportClient({ address, keepalive: { 'grpc.use_local_subchannel_pool': 1 } }) }));
    const outcomes = await Promise.all(
      channels.map(async (c, j) => {
        await new Promise((r) => setTimeout(r, (j * spreadMs) / channels.length));
        return c.client.send(keepalive(c.a), c.token, { giveUpAfterMs: 30_000 });
      }),
    );
    return { accepted: outcomes.filter((o) => o === 'accepted').length, other: outcomes.filter((o) => o !== 'accepted').length };
  },
  async pace({ periodMs, ms, slot, slots, total }) {
    const t0 = performance.now();
    const due = [];
    channels.forEach((c, j) => {
      for (let at = ((j * slots + slot) * periodMs) / total; at < ms; at += periodMs) due.push({ at, c });
    });
    due.sort((x, y) => x.at - y.at);
    let accepted = 0;
    let other = 0;
    let lateMs = 0;
    const sends = [];
    for (const d of due) {
      const wait = t0 + d.at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lateMs = Math.max(lateMs, performance.now() - (t0 + d.at));
      sends.push(d.c.client.send(keepalive(d.c.a), d.c.token, { giveUpAfterMs: 30_000 }).then((o) => (o === 'accepted' ? accepted++ : other++)));
    }
    await Promise.all(sends);
    return { sent: due.length, accepted, other, lateMs };
  },
  async close() {
    for (const c of channels) c.client.close();
    channels = [];
    return null;
  },
});
