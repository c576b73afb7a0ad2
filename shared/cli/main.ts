/**
 * The `toolflow` command line (commander). Commands: run, resume, cancel, validate, graph, status, logs.
 * Each command's work is in its own module (`run-command.ts`, `cancel-command.ts`, `status-command.ts`, `logs-command.ts`).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { AbortedError, ConfigError, LeaseLostError, NotFoundError, ServiceUnavailableError, SpecError, TaskStalledError } from '../errors.js';
import { loadWorkflowFile } from '../spec/load.js';
import { toMermaid } from '../spec/graph.js';
import { parseBytes, parseCpu } from '../spec/resources.js';
import { logsCommand, type LogsOptions } from './logs-command.js';
import { cancelCommand } from './cancel-command.js';
import { printSpecError, resumeCommand, runCommand } from './run-command.js';
import { DEFAULT_LIMIT, parseStatusFilter, statusCommand, TASK_STATUSES, type StatusOptions } from './status-command.js';
import { countOf } from './summary.js';

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
  .command('cancel')
  .description('cancel a task from another terminal: its driver stops its tools (SIGTERM, then SIGKILL after 10 s); a task whose process died is cancelled here')
  .argument('<task>', 'task id')
  .option('--no-wait', 'return once the request is recorded')
  .option('--json', 'print one JSON object with the result')
  .action(async (taskId: string, opts: { wait: boolean; json?: boolean }) => {
    process.exitCode = await cancelCommand(taskId, opts);
  });

program
  .command('validate')
  .description('check a workflow file, reporting every error at once; exit code 0 when it is valid, 2 when not')
  .argument('<workflow>', 'workflow YAML file')
  .option('--json', 'print one JSON object: {"status": "valid", "tools", "dependencies", "inputs"} or {"status": "invalid", "error", "issues"}')
  .action(async (workflow: string, opts: { json?: boolean }) => {
    const { spec, dag } = await loadWorkflowFile(workflow);
    const edges = dag.parents.reduce((n, p) => n + p.length, 0);
    if (opts.json) {
      process.stdout.write(JSON.stringify({ status: 'valid', tools: spec.tools.length, dependencies: edges, inputs: spec.inputs.length }) + '\n');
      return;
    }
    process.stdout.write(`${workflow}: valid: ${countOf(spec.tools.length, 'tool')}, ${countOf(edges, 'dependency', 'dependencies')}, ${countOf(spec.inputs.length, 'input')}\n`);
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
  .description('show a task\'s tools (or list recent tasks, newest first) from the store')
  .argument('[task]', 'task id')
  .option('--json', 'print JSON')
  .option('-n, --limit <n>', `how many tasks to list (default ${DEFAULT_LIMIT})`, positiveInt)
  .addOption(new Option('-a, --all', 'list every task').conflicts('limit'))
  .option('--status <status>', `list only tasks with this status: ${TASK_STATUSES.join(', ')} (repeatable, or comma-separated)`, parseStatusFilter)
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .action(async (taskId: string | undefined, opts: StatusOptions) => {
    await statusCommand(taskId, opts);
  });

program
  .command('logs')
  .description('print a tool attempt\'s stdout.log and stderr.log (default: its latest attempt, both files)')
  .argument('<task>', 'task id')
  .argument('<tool>', 'tool name')
  .option('--attempt <n>', 'which attempt (1 is the first; default the latest)', positiveInt)
  .option('-f, --follow', 'go on printing as the logs grow, until the attempt ends (Ctrl-C stops)')
  .addOption(new Option('--stdout', 'only stdout.log, as it is').conflicts('stderr'))
  .addOption(new Option('--stderr', 'only stderr.log, as it is'))
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .action(async (taskId: string, tool: string, opts: LogsOptions) => {
    process.exitCode = await logsCommand(taskId, tool, opts);
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
    fail(countOf(err.issues.length, 'problem'), err.issues);
  } else if (err instanceof ConfigError || err instanceof NotFoundError || err instanceof ServiceUnavailableError) {
    process.stderr.write(`toolflow: ${err.message}\n`);
    fail(err.message);
  } else if (err instanceof TaskStalledError) {
    // An event the task needs was given up on (dead-lettered): the run stops here and says why.
    process.stderr.write(`toolflow: ${err.message}\n`);
    if (json) process.stdout.write(JSON.stringify({ status: 'stalled', error: err.message }) + '\n');
    process.exitCode = 3;
  } else if (err instanceof AbortedError) {
    process.stderr.write(`toolflow: ${err.message}\n`);
    if (json) process.stdout.write(JSON.stringify({ status: 'cancelled', error: err.message }) + '\n');
    process.exitCode = 130;
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
