/**
 * The `toolflow` command line (commander): it declares every command (name, arguments, options:
 * what `--help` shows) and maps errors to exit codes.
 *
 * Start-up cost (issue 8 §6): this file imports nothing heavy, and a command's module is imported
 * only when that command runs, so `toolflow --help` or `validate` never load the clients of
 * services (amqplib, etcd3, mysql2, @aws-sdk), the store or the executor. To add a command:
 *   1. put its work in its own module `x-command.ts`, exporting `xCommand(args…, opts)` that
 *      returns a Promise of the exit code (a number), or of nothing (exit 0, or set by an error);
 *   2. add `x: () => import('./x-command.js')` to COMMANDS;
 *   3. declare it below: `program.command('x').argument(…).option(…).action(action('x', (m) => m.xCommand))`.
 * Parsers and defaults that declarations need go in `options.ts` (which stays light too). Never
 * import a command module statically here: test/cli/startup.test.ts checks what `--help` loads.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { AbortedError, ConfigError, LeaseLostError, NotFoundError, ServiceUnavailableError, SpecError, TaskStalledError } from '../errors.js';
import { parseBytes, parseCpu, parseDuration } from '../spec/resources.js';
import { countOf, printSpecError } from './messages.js';
import { jsonSafe, shownText } from '../uploads/upload-names.js';
import { FILE_FORMATS } from '../uploads/upload-doc.js';
import { collect, DEFAULT_LIMIT, once, parseStatusFilter, portNumber, positiveInt, TASK_STATUSES, wrap } from './options.js';

/** Each command's module, imported when that command runs (a module may serve several commands). */
const COMMANDS = {
  run: () => import('./run-command.js'),
  resume: () => import('./run-command.js'),
  cancel: () => import('./cancel-command.js'),
  validate: () => import('./validate-command.js'),
  graph: () => import('./graph-command.js'),
  status: () => import('./status-command.js'),
  report: () => import('./report-command.js'),
  logs: () => import('./logs-command.js'),
  publish: () => import('./publish-command.js'),
  gc: () => import('./gc-command.js'),
  upload: () => import('./upload-command.js'),
  explain: () => import('./explain-command.js'),
  token: () => import('./token-command.js'),
  serve: () => import('./serve-command.js'),
  dev: () => import('./dev-command.js'),
  connector: () => import('./connector-command.js'),
  function: () => import('./function-command.js'),
  'work-manager': () => import('./work-manager-command.js'),
  sidecar: () => import('./sidecar-command.js'),
  check: () => import('./check-command.js'),
};
type CommandModule<N extends keyof typeof COMMANDS> = Awaited<ReturnType<(typeof COMMANDS)[N]>>;

/**
 * A commander action that imports command `name`'s module, then calls the function `pick` chooses
 * with commander's arguments (positional arguments, then the options object); a number it returns
 * becomes the process's exit code.
 */
function action<N extends keyof typeof COMMANDS, A extends unknown[]>(name: N, pick: (module: CommandModule<N>) => (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    const code = await pick((await COMMANDS[name]()) as CommandModule<N>)(...args);
    if (typeof code === 'number') process.exitCode = code;
  };
}

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command('toolflow')
  .exitOverride()
  .description('Run pipelines of command-line tools (a DAG in YAML) with resource-aware scheduling and reruns on out-of-memory and full disks.')
  .version(version)
  .showHelpAfterError();

program
  .command('run')
  .description('run a workflow on this machine and wait for it (exit code 0 only when every tool succeeded)')
  .argument('<workflow>', 'workflow YAML file')
  .option('-i, --input <name=path>', 'an input of the workflow: a file or a sample sheet, or one item of a list input (repeat it per item)', collect, [])
  .option('-s, --set <tool.option=value>', 'an option value (repeatable; wins over --params)', collect, [])
  .option('-p, --params <file>', 'option values from a YAML/JSON file: {tool: {option: value}}')
  .option('-w, --workdir <dir>', 'where the tools\' work dirs go (default $TOOLFLOW_HOME/work)')
  .addOption(new Option('--cpus <cores>', 'cpu budget: cores or millicores (default: this machine)').argParser(wrap(parseCpu)))
  .addOption(new Option('--memory <size>', 'memory budget, e.g. 8Gi (default: this machine)').argParser(wrap(parseBytes)))
  .option('--fail-fast', 'after a tool fails for good, start no other tool (default: independent tools go on)')
  .option('--no-cache', 'rerun every tool: reuse no earlier attempt whose inputs are the same (default: reuse them)')
  .option('-o, --outdir <dir>', 'publish the results into DIR/<tool>/<file> (instances DIR/<tool>/<key>/<file>) when the task ends: what succeeded (see publish: in the workflow)', once)
  .option('--json', 'print one JSON object with the result, and no progress')
  .option('-q, --quiet', 'no progress, only the summary')
  .action(action('run', (m) => m.runCommand));

program
  .command('resume')
  .description('take over a task whose process died (after its lock expires) and follow it to its end; tools that succeeded are not rerun')
  .argument('<task>', 'task id')
  .option('-w, --workdir <dir>', 'where the tools\' work dirs go (default $TOOLFLOW_HOME/work)')
  .addOption(new Option('--cpus <cores>', 'cpu budget: cores or millicores (default: this machine)').argParser(wrap(parseCpu)))
  .addOption(new Option('--memory <size>', 'memory budget, e.g. 8Gi (default: this machine)').argParser(wrap(parseBytes)))
  .option('--json', 'print one JSON object with the result, and no progress')
  .option('-q, --quiet', 'no progress, only the summary')
  .action(action('resume', (m) => m.resumeCommand));

program
  .command('cancel')
  .description('cancel a task from another terminal: its driver stops its tools (SIGTERM, then SIGKILL after 10 s); a task whose process died is cancelled here')
  .argument('<task>', 'task id')
  .option('--no-wait', 'return once the request is recorded')
  .option('--json', 'print one JSON object with the result')
  .action(action('cancel', (m) => m.cancelCommand));

program
  .command('validate')
  .description('check a workflow file, reporting every error at once; exit code 0 when it is valid, 2 when not')
  .argument('<workflow>', 'workflow YAML file')
  .option('--json', 'print one JSON object: {"status": "valid", "tools", "dependencies", "inputs"} or {"status": "invalid", "error", "issues"}')
  .action(action('validate', (m) => m.validateCommand));

program
  .command('graph')
  .description('print the DAG as a Mermaid flowchart (with --input, the planned instances of scattered tools)')
  .argument('<workflow>', 'workflow YAML file')
  .option('-i, --input <name=value>', 'a sample sheet or list item, as for run (repeatable): the graph then shows each instance', collect, [])
  .action(action('graph', (m) => m.graphCommand));

program
  .command('status')
  .description('show a task\'s tools (or list recent tasks, newest first) from the store')
  .argument('[task]', 'task id')
  .option('--json', 'print JSON')
  .option('-n, --limit <n>', `how many tasks to list (default ${DEFAULT_LIMIT})`, positiveInt)
  .addOption(new Option('-a, --all', 'list every task').conflicts('limit'))
  .option('--status <status>', `list only tasks with this status: ${TASK_STATUSES.join(', ')} (repeatable, or comma-separated)`, parseStatusFilter)
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .option('--attempts', 'with a task: list every attempt of every tool (by default only of the tools that ran more than once)')
  .action(action('status', (m) => m.statusCommand));

program
  .command('report')
  .description('write a task\'s report: one self-contained HTML file (no network needed) with a timeline of its attempts, its DAG coloured by status, the memory and cpu each attempt used against what it was given, and every failure\'s message')
  .argument('<task>', 'task id')
  .option('-o, --output <file>', 'where to write it (default toolflow-report-<task>.html in the current folder; an existing file is replaced)')
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .action(action('report', (m) => m.reportCommand));

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
  .action(action('logs', (m) => m.logsCommand));

program
  .command('explain')
  .description('say why a tool\'s latest attempt ran or was reused from the cache: a cache hit (from which task), --no-cache, a first run, or which part of its cache key changed since the previous run of the workflow')
  .argument('<task>', 'task id')
  .argument('<tool>', 'tool name (an instance as align[A])')
  .option('--json', 'print one JSON object: {"taskId", "tool", "attempt", "outcome", "cachedFrom", "previous", "changes", "message"}')
  .action(action('explain', (m) => m.explainCommand));

program
  .command('publish')
  .description('put the results of a task that has ended into DIR/<tool>/<file> (instances DIR/<tool>/<key>/<file>), as run --outdir does: hard links to the work dirs\' files, copies across filesystems')
  .argument('<task>', 'task id')
  .requiredOption('-o, --outdir <dir>', 'where to publish (outside the work dir); files published there before are replaced')
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .option('--json', 'print one JSON object: {taskId, status, outdir, files: [{tool, name, path, published, bytes, how}], notPublished, errors}')
  .action(action('publish', (m) => m.publishCommand));

program
  .command('gc')
  .description('remove the work dirs and input objects of tasks that finished before the cutoff and that no newer task needs (an attempt a newer task reused stays; an unfinished task keeps everything); prints what it removed and the bytes freed')
  .option('--older-than <duration>', 'collect tasks that finished longer ago than this: 0, or seconds or d/h/m/s units (3600, 12h, 7d, 1d12h); default 7d', wrap((v) => (v.trim() === '0' ? 0 : parseDuration(v))))
  .option('--dry-run', 'say what would be removed and the bytes it would free; remove nothing')
  .option('--json', 'print one JSON object: {before, dryRun, tasks: [{taskId, name, status, finishedAt, dir, keptAttempts}], keptTasks, objects: [{key, kind, taskId}], freedBytes, removedFiles, checksumsDropped, problems}')
  .option('-w, --workdir <dir>', 'where the work dirs are, for tasks that did not record theirs (default $TOOLFLOW_HOME/work)')
  .action(action('gc', (m) => m.gcCommand));

program
  .command('upload')
  .description('upload files and print their upload ids (<uploadId> TAB <file>, one line each): to a toolflow server with --server (resumable: after Ctrl-C or a lost connection, the same command resumes each file), else into this machine\'s configured store')
  .argument('<file...>', 'the files')
  .option('--server <url>', 'the toolflow server (toolflow serve), e.g. http://host:8080 (default TOOLFLOW_SERVER); without it the files go into the configured store (TOOLFLOW_HOME, or the services configured)')
  .option('--token <token>', 'the bearer token for --server (default TOOLFLOW_TOKEN, which keeps it out of the process list)')
  .addOption(new Option('--format <format>', 'what the files are, checked on their first bytes').choices(FILE_FORMATS))
  .option('--json', 'print one JSON array: [{"file", "uploadId", "size", "sha256", "status", "error"}]')
  .action(action('upload', (m) => m.uploadCommand));

const token = program.command('token').description('bearer tokens of the user API (toolflow serve): each reads and writes only its owner\'s tasks and uploads');
token
  .command('create')
  .description('create a token for an owner; it is printed once (the store keeps only its SHA-256)')
  .requiredOption('--owner <name>', 'whose tasks and uploads the token reads and writes')
  .option('--label <text>', 'what the token is for (shown by token list)')
  .option('--json', 'print one JSON object: {"id", "owner", "label", "createdAt", "revokedAt", "token"}')
  .action(action('token', (m) => m.tokenCreateCommand));
token
  .command('list')
  .description('list tokens, newest first (never the tokens themselves)')
  .option('--owner <name>', 'only this owner\'s')
  .option('--json', 'print JSON')
  .action(action('token', (m) => m.tokenListCommand));
token
  .command('revoke')
  .description('revoke a token: the API refuses it from now on')
  .argument('<id>', 'token id (from token create or token list)')
  .option('--json', 'print the token\'s record as JSON')
  .action(action('token', (m) => m.tokenRevokeCommand));

program
  .command('serve')
  .description('serve the user HTTP API (routes under /v1, bearer tokens; OpenAPI at /openapi.json) until SIGINT or SIGTERM; tasks submitted through it run in this process')
  .addOption(new Option('--port <port>', 'TCP port (0: any free one)').default(8080).argParser(wrap(portNumber)))
  .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
  .addOption(new Option('--upload-limit <size>', 'longest upload, e.g. 10Gi (default TOOLFLOW_API_UPLOAD_LIMIT, else 5Gi)').argParser(wrap(parseBytes)))
  .action(action('serve', (m) => m.serveCommand));

program
  .command('dev')
  .description('one process on one port: the user API (/v1), every event function (/functions/NAME) and the tools of the tasks submitted through it; embedded mode needs no services, services mode feeds the functions through a connector')
  .addOption(new Option('--port <port>', 'TCP port (0: any free one)').default(8080).argParser(wrap(portNumber)))
  .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
  .addOption(new Option('--upload-limit <size>', 'longest upload, e.g. 10Gi (default TOOLFLOW_API_UPLOAD_LIMIT, else 5Gi)').argParser(wrap(parseBytes)))
  .option('--external-functions', 'services mode: the shared functions run elsewhere (toolflow function NAME behind toolflow connector); serve the API and this process\'s tasks only')
  .action(action('dev', (m) => m.devCommand));

program
  .command('connector')
  .description('deliver the events of each function\'s RabbitMQ queue to its HTTP URL (OpenFaaS): ack on 2xx, dead-letter on 400, deliver again with backoff otherwise; needs TOOLFLOW_AMQP_URL')
  .option('-t, --target <name=url>', 'an event function and the URL its events are POSTed to (repeatable; default TOOLFLOW_CONNECTOR_TARGETS=NAME=URL,…)', collect, [])
  .option('-c, --concurrency <name=n>', 'requests in flight to a function at most (repeatable; default TOOLFLOW_CONNECTOR_CONCURRENCY, else the function\'s own)', collect, [])
  .option('--timeout <seconds>', 'how long one request may take before it is delivered again (default TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS, else 60)')
  .action(action('connector', (m) => m.connectorCommand));

program
  .command('function')
  .description('run one event function over HTTP under faas-js-runtime (Knative Functions): enqueue, start-workflow, schedule-tool, handle-status, rerun-policy or notify (start-workflow and schedule-tool in cluster mode); the events it causes go to TOOLFLOW_AMQP_URL, or to K_SINK when set')
  .argument('<name>', 'the function')
  .addOption(new Option('--port <port>', 'TCP port').default(8080).argParser(wrap((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`"${v}" is not a port number (1 to 65535)`);
    return n;
  })))
  .option('--host <address>', 'address to serve (127.0.0.1: loopback only; 0.0.0.0: every interface, as a container needs); calls need TOOLFLOW_FUNCTION_SECRET when it is set', '127.0.0.1')
  .action(action('function', (m) => m.functionCommand));

program
  .command('work-manager')
  .description('cluster mode: drive one task as its work-manager Job does (serves the sidecars\' gRPC reports on TOOLFLOW_REPORT_LISTEN, exits when the task ends)')
  .argument('<task>', 'task id')
  .action(action('work-manager', (m) => m.workManagerCommand));

program
  .command('sidecar')
  .description('cluster mode: the sidecar of a tool attempt\'s Pod (stages inputs, reports start, keepalives and exit to the work manager, uploads outputs); configured by the Job\'s environment')
  .action(action('sidecar', (m) => m.sidecarCommand));

program
  .command('check')
  .description('the periodic check (a CronJob): Pods Pending too long, Pods, cpu, memory, running tools and queue depth over a period, from Prometheus, against the configured limits; notifies (DingTalk, webhook: the TOOLFLOW_NOTIFY_* settings) when any is passed. Exit 0 all within, 1 a limit passed, 2 bad configuration, 3 Prometheus unreachable')
  .option('--prometheus <url>', 'Prometheus\' base URL (default TOOLFLOW_CHECK_PROMETHEUS_URL, else prometheus: in --config)')
  .option('-c, --config <file>', 'a YAML file of settings and limits: prometheus, namespace, period, limits {pendingPods, pendingFor, pods, cpu, memory, runningTools, queueDepth} (default TOOLFLOW_CHECK_CONFIG)')
  .option('--period <duration>', 'how far back to look: seconds or d/h/m/s units (15m, 1h); default TOOLFLOW_CHECK_PERIOD, else 15m')
  .option('--dry-run', 'measure and compare, notify nobody (the exit code still says whether a limit was passed)')
  .option('--json', 'print one JSON object: {status, prometheus, namespace, period, from, to, step, checks: [{check, what, unit, query, value, at, mean, limit, over}], over, warnings, notification}')
  .action(action('check', (m) => m.checkCommand));

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
    // jsonSafe: a user's name echoed in a message keeps its bidi and look-alike characters as \u escapes (upload-names.ts).
    if (json) process.stdout.write(jsonSafe(JSON.stringify({ status: 'invalid', error: message, ...(issues ? { issues } : {}) })) + '\n');
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
    process.stderr.write(`toolflow: ${shownText(err.message)}\n`);
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
