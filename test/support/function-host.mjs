// One function of the event flow in its own process, on RabbitMQ and MySQL, for fault tests.
// Usage: node function-host.mjs <amqp url> <namespace> <mysql url> <function name> [--die-after-write]
// Prints "ready" once subscribed. With --die-after-write, the process SIGKILLs itself right after
// its first store write that changed something has committed (createTask, moveTask, moveToolRun,
// addToolRun returning true): after the database write, before the publish of the events it
// implies, before the ack.
import { pino } from 'pino';
import { AmqpBus } from '../../dist/shared/events/amqp-bus.js';
import { MemoryCoordination } from '../../dist/shared/coordination/memory-coordination.js';
import { FUNCTIONS, routeFunctions } from '../../dist/shared/runtime/runtime.js';
import { openStore } from '../../dist/shared/store/open-store.js';

const [amqpUrl, namespace, mysqlUrl, fn, flag] = process.argv.slice(2);
const log = pino({ level: 'silent' });
const store = await openStore(mysqlUrl);
if (flag === '--die-after-write') {
  for (const method of ['createTask', 'moveTask', 'moveToolRun', 'addToolRun']) {
    const write = store[method].bind(store);
    store[method] = async (...args) => {
      const changed = await write(...args);
      if (changed) process.kill(process.pid, 'SIGKILL');
      return changed;
    };
  }
}
const bus = await AmqpBus.connect({ url: amqpUrl, namespace, log });
const executor = { capacity: { cpuMillicores: 2000, memBytes: 8e9, diskBytes: null } };
routeFunctions({ store, bus, log, coordination: new MemoryCoordination(), executor }, FUNCTIONS.filter((f) => f.name === fn));
await bus.idle();
console.log('ready');
process.on('SIGTERM', async () => {
  await bus.close();
  await store.close();
  process.exit(0);
});
