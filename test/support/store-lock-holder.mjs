// A holder of a lock kept in the store (`locks` table), in its own process, for tests that pause
// (SIGSTOP) or kill (SIGKILL) it. Usage: node store-lock-holder.mjs <database path or URL> <key> <ttl seconds>
// Prints JSON lines: {"token":N} once held ({"held":false} and exit 3 when it is not free), {"lost":true}
// when its lease is lost.
import { pino } from 'pino';
import { StoreCoordination } from '../../dist/shared/coordination/store-coordination.js';
import { openStore } from '../../dist/shared/store/open-store.js';

const [database, key, ttl] = process.argv.slice(2);
const store = await openStore(database);
const coordination = new StoreCoordination(store, { log: pino({ level: 'silent' }), what: 'test holder' });
const lease = await coordination.tryLock(key, Number(ttl));
if (!lease) {
  console.log(JSON.stringify({ held: false }));
  process.exit(3);
}
lease.onLost(() => console.log(JSON.stringify({ lost: true })));
console.log(JSON.stringify({ token: lease.token }));
setInterval(() => undefined, 1000);
