// A lock holder in its own process, for tests that pause (SIGSTOP) or kill (SIGKILL) it.
// Usage: node lock-holder.mjs <etcd endpoints> <lock key> <ttl seconds>
// Prints JSON lines: {"token":N} once held, {"lost":true} when its lease is lost, and for each
// "write <key> <value>" line on stdin, {"write":"ok"|"refused"} after a put fenced by the lease.
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { EtcdCoordination } from '../../dist/shared/coordination/etcd-coordination.js';

const [endpoints, key, ttl] = process.argv.slice(2);
const coordination = await EtcdCoordination.connect({ endpoints, log: pino({ level: 'silent' }) });
const lease = await coordination.tryLock(key, Number(ttl));
if (!lease) {
  console.log(JSON.stringify({ held: false }));
  process.exit(3);
}
lease.onLost(() => console.log(JSON.stringify({ lost: true })));
console.log(JSON.stringify({ token: lease.token }));
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, k, v] = line.split(' ');
  if (cmd !== 'write') continue;
  const result = await coordination.put(k, v, { fence: lease }).then(() => 'ok', (err) => (err.code === 'LEASE_LOST' ? 'refused' : `error: ${err.message}`));
  console.log(JSON.stringify({ write: result }));
}
