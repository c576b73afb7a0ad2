// A toolflow-like driver in a process of its own, for tests that SIGKILL it while its tool runs.
// Usage: vite-node leftover-driver.ts <root> <taskId> <tool> [rlimit]. Prints "started <pgid>" once the
// attempt runs, then waits to be killed.
import { join } from 'node:path';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';

const [root, taskId, tool, memoryLimit] = process.argv.slice(2) as [string, string, string, string | undefined];
const executor = new LocalExecutor({ root, objects: new LocalObjectStore(join(root, '_objects')), memoryLimit });
const cmds = ['sleep 300 & echo $! > child.pid', 'while true; do echo tick >> ticks.log; sleep 0.05; done'];
await executor.start(
  {
    taskId,
    tool,
    attempt: 1,
    owner: 'me',
    spec: { name: tool, cmds, env: {}, outputs: [], image: null },
    values: {},
    inputs: {},
    deps: [],
    resources: { cpuMillicores: 1000, memBytes: 256e6, diskBytes: null, timeSeconds: null },
  },
  (r) => {
    if (r.kind === 'start') console.log(`started ${executor.limiter.mechanism}`);
  },
);
setInterval(() => undefined, 1000);
