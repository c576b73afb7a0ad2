/**
 * The `toolflow` command line (commander). Commands: run, resume, validate, graph, status.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError, LeaseLostError, NotFoundError, ServiceUnavailableError, SpecError } from '../errors.js';
import { loadWorkflowFile } from '../spec/load.js';
import { toMermaid } from '../spec/graph.js';
import { parseBytes, parseCpu } from '../spec/resources.js';
import { loadConfig } from '../runtime/config.js';
import { openStore } from '../store/open-store.js';
import { printSpecError, resumeCommand, runCommand } from './run-command.js';
import { formatDuration, summarizeTask, summaryJson, summaryTable } from './summary.js';
import Table from 'cli-table3';

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const collect = (value: string, previous: string[]) => [...previous, value];
const wrap = <T>(parse: (v: string) => T) => (v: string) => {
  try {
    return parse(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const positiveInt = wrap((v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`"${v}" is not a whole number above 0`);
  return n;
});

const program = new Command('toolflow')
  .exitOverride()
  .description('Run pipelines of command-line tools (a DAG in YAML) with resource-aware scheduling and reruns on out-of-memory and full disks.')
  .version(version)
  .showHelpAfterError();

program
  .command('run')
  .description('run a workflow on this machine and wait for it (exit code 0 only when every tool succeeded)')
  .argument('<workflow>', 'workflow YAML file')
  .option('-i, --input <name=path>', 'an input file of the workflow (repeatable)', collect, [])
  .option('-s, --set <tool.option=value>', 'an option value (repeatable; wins over --params)', collect, [])
  .option('-p, --params <file>', 'option values from a YAML/JSON file: {tool: {option: value}}')
  .option('-w, --workdir <dir>', 'where the tools\' work dirs go (default $TOOLFLOW_HOME/work)')
  .addOption(new Option('--cpus <cores>', 'cpu budget: cores or millicores (default: this machine)').argParser(wrap(parseCpu)))
  .addOption(new Option('--memory <size>', 'memory budget, e.g. 8Gi (default: this machine)').argParser(wrap(parseBytes)))
  .option('--fail-fast', 'after a tool fails for good, start no other tool (default: independent tools go on)')
  .option('--json', 'print one JSON object with the result, and no progress')
  .option('-q, --quiet', 'no progress, only the summary')
  .action(async (workflow: string, opts) => {
    process.exitCode = await runCommand(workflow, opts);
  });

program
  .command('resume')
  .description('take over a task whose process died (after its lock expires) and follow it to its end; tools that succeeded are not rerun')
  .argument('<task>', 'task id')
  .option('-w, --workdir <dir>', 'where the tools\' work dirs go (default $TOOLFLOW_HOME/work)')
  .addOption(new Option('--cpus <cores>', 'cpu budget: cores or millicores (default: this machine)').argParser(wrap(parseCpu)))
  .addOption(new Option('--memory <size>', 'memory budget, e.g. 8Gi (default: this machine)').argParser(wrap(parseBytes)))
  .option('--json', 'print one JSON object with the result, and no progress')
  .option('-q, --quiet', 'no progress, only the summary')
  .action(async (taskId: string, opts) => {
    process.exitCode = await resumeCommand(taskId, opts);
  });

program
  .command('validate')
  .description('check a workflow file; exit code 0 when it is valid')
  .argument('<workflow>', 'workflow YAML file')
  .action(async (workflow: string) => {
    const { spec, dag } = await loadWorkflowFile(workflow);
    const edges = dag.parents.reduce((n, p) => n + p.length, 0);
    const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    process.stdout.write(`${workflow}: valid: ${count(spec.tools.length, 'tool', 'tools')}, ${count(edges, 'dependency', 'dependencies')}, ${count(spec.inputs.length, 'input', 'inputs')}\n`);
  });

program
  .command('graph')
  .description('print the DAG as a Mermaid flowchart')
  .argument('<workflow>', 'workflow YAML file')
  .action(async (workflow: string) => {
    const { dag } = await loadWorkflowFile(workflow);
    process.stdout.write(toMermaid(dag));
  });

program
  .command('status')
  .description('show a task (or list recent tasks) from the store')
  .argument('[task]', 'task id')
  .option('--json', 'print JSON')
  .option('-n, --limit <n>', 'how many tasks to list', positiveInt, 20)
  .action(async (taskId: string | undefined, opts: { json?: boolean; limit: number }) => {
    const store = await openStore(loadConfig().databasePath);
    try {
      if (taskId) {
        const summary = await summarizeTask(store, taskId);
        process.stdout.write((opts.json ? summaryJson(summary) : summaryTable(summary)) + '\n');
        return;
      }
      const tasks = await store.listTasks(opts.limit);
      if (opts.json) {
        process.stdout.write(JSON.stringify(tasks.map((t) => ({ taskId: t.id, name: t.name, status: t.status, createdAt: new Date(t.created_at).toISOString(), error: t.error }))) + '\n');
        return;
      }
      const table = new Table({ head: ['task', 'workflow', 'status', 'created', 'duration'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
      for (const t of tasks) table.push([t.id, t.name, t.status, new Date(t.created_at).toISOString(), formatDuration(t.started_at && t.finished_at ? t.finished_at - t.started_at : null)]);
      process.stdout.write(tasks.length ? table.toString() + '\n' : 'no tasks yet\n');
    } finally {
      await store.close();
    }
  });

// A closed pipe on stdout (`toolflow run … | head`) is not an error of the run: stop writing, go on.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

/** Exit codes: 0 success, 1 the task failed or was cancelled, 2 invalid input, usage or configuration (a backend that does not answer included), 3 internal error. */
try {
  await program.parseAsync();
} catch (err) {
  const json = process.argv.includes('--json');
  const fail = (message: string, issues?: unknown) => {
    if (json) process.stdout.write(JSON.stringify({ status: 'invalid', error: message, ...(issues ? { issues } : {}) }) + '\n');
    process.exitCode = 2;
  };
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help/version) already.
    const shown = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    if (shown) process.exitCode = 0;
    else fail(err.message.replace(/^error: /, ''));
  } else if (err instanceof SpecError) {
    printSpecError(err);
    fail(`${err.issues.length} problem(s)`, err.issues);
  } else if (err instanceof ConfigError || err instanceof NotFoundError || err instanceof ServiceUnavailableError) {
    process.stderr.write(`toolflow: ${err.message}\n`);
    fail(err.message);
  } else if (err instanceof LeaseLostError) {
    // This process stopped driving the task (services mode: its lock lease ran out); it did not finish here.
    process.stderr.write(`toolflow: ${err.message}\n`);
    if (json) process.stdout.write(JSON.stringify({ status: 'lost', error: err.message }) + '\n');
    process.exitCode = 1;
  } else if (typeof (err as NodeJS.ErrnoException)?.syscall === 'string') {
    // A file or folder toolflow was pointed at cannot be used (missing, a directory, no permission).
    process.stderr.write(`toolflow: ${(err as Error).message}\n`);
    fail((err as Error).message);
  } else {
    process.stderr.write(`toolflow: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 3;
  }
}
