// One function of the event flow in its own process, on RabbitMQ and MySQL, for fault tests.
// Usage: node function-host.mjs <amqp url> <namespace> <mysql url> <function name> [--die-after-write]
// Prints "ready" once subscribed. With --die-after-write, the process SIGKILLs itself right after
// its first status move to succeeded has committed: after the database write, before the publish
// of the events it implies, before the ack.
import { pino } from 'pino';
import { AmqpBus } from '../../dist/shared/events/amqp-bus.js';
import { FUNCTIONS, routeFunctions } from '../../dist/shared/runtime/runtime.js';
import { openStore } from '../../dist/shared/store/open-store.js';

const [amqpUrl, namespace, mysqlUrl, fn, flag] = process.argv.slice(2);
const log = pino({ level: 'silent' });
const store = await openStore(mysqlUrl);
if (flag === '--die-after-write') {
  const move = store.moveToolRun.bind(store);
  store.moveToolRun = async (key, to, fields) => {
    const moved = await move(key, to, fields);
    if (moved && to === 'succeeded') process.kill(process.pid, 'SIGKILL');
    return moved;
  };
}
const bus = await AmqpBus.connect({ url: amqpUrl, namespace, log });
routeFunctions({ store, bus, log }, FUNCTIONS.filter((f) => f.name === fn));
await bus.idle();
console.log('ready');
process.on('SIGTERM', async () => {
  await bus.close();
  await store.close();
  process.exit(0);
});
