// The tables of the cluster benchmark (bench/cluster.mjs), from the figures of bench/cluster-reports.mjs
// and bench/cluster-steps.mjs. Ratios compare figures of the same run.

const pctOf = (c) => (c === undefined ? '-' : `${c.total.toFixed(2)} %`);
const ms = (x) => (x === undefined ? '-' : `${x.toFixed(0)} ms`);
const p = (s) => (s ? `${s.p50} / ${s.p95}` : '-');
const int = (x) => Math.round(x).toLocaleString('en-US');

/** µs of `cpu` (% of one core over `windowMs`) per report, `reports` of them. */
const perReport = (cpu, windowMs, reports) => (cpu.total / 100) * windowMs * 1000 / reports;

/**
 * Prints the three tables (markdown) on stdout.
 * @param {{ o: object, reports: { raw: object, embedded: object, services: object }, steps: { services: object, cluster: object }, chainLength: number }} f
 */
export function printTables({ o, reports, steps, chainLength }) {
  const { raw, embedded, services } = reports;
  const floodRows = [
    ['raw report server (`deliver` only accepts)', raw],
    ['work manager, embedded (one process, handle-status on SQLite in it)', embedded],
    ['work manager, services (as `toolflow work-manager`; publishes to RabbitMQ)', services],
  ];
  const rawCost = perReport(raw.flood.cpu.wm, o.floodMs, raw.flood.accepted);
  console.log(`\nCluster mode, reports into one work manager: ${o.clients} sender processes × ${o.concurrency} keepalives in flight for ${o.floodMs / 1000} s, over the ${o.tools.toLocaleString('en-US')} running attempts of one task (2 cores shared by senders and servers: the machine bounds reports/s; the server's CPU per report does not depend on that):\n`);
  console.log('| server | reports/s | vs raw | server CPU | server CPU per report | reports/s per core of server CPU | vs raw | functions process CPU | senders\' CPU | call p50 / p99 | keepalive → row after the flood |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of floodRows) {
    const cost = perReport(r.flood.cpu.wm, o.floodMs, r.flood.accepted);
    console.log(
      `| ${name} | ${int(r.flood.rate)} | ${(r.flood.rate / raw.flood.rate).toFixed(2)}x | ${pctOf(r.flood.cpu.wm)} | ${cost.toFixed(0)} µs | ${int(1e6 / cost)} | ${(rawCost / cost).toFixed(2)}x | ${pctOf(r.flood.cpu.functions)} | ${pctOf(r.flood.cpu.senders)} | ${r.flood.p50.toFixed(1)} / ${r.flood.p99.toFixed(1)} ms | ${ms(r.drainMs)} |`,
    );
  }

  const w = o.windowMs / 1000;
  console.log(`\nCluster mode, CPU of ${o.tools.toLocaleString('en-US')} attempts sending a keepalive every 30 s, % of one core (user + system, every thread), windows of ${w} s each; target: under 5 % for the work manager:\n`);
  console.log(`| process | idle (no sender) | ${o.tools.toLocaleString('en-US')} connections, no reports | ${o.tools.toLocaleString('en-US')} × 1 keepalive / 30 s | reports in the window | per keepalive (paced − connections) |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  const cpuRow = (name, r, key) => {
    const extra = r.paced[key] && r.connected[key] ? perReport({ total: r.paced[key].total - r.connected[key].total }, o.windowMs, r.pacedAccepted) : undefined;
    console.log(`| ${name} | ${pctOf(r.idle?.[key])} | ${pctOf(r.connected[key])} | ${pctOf(r.paced[key])} | ${r.pacedAccepted}${r.pacedOther ? ` (+${r.pacedOther} not accepted)` : ''} | ${extra === undefined ? '-' : `${extra.toFixed(0)} µs`} |`);
  };
  cpuRow('raw report server (`deliver` only accepts)', raw, 'wm');
  cpuRow('work manager, embedded (handle-status + SQLite in the same process)', embedded, 'wm');
  cpuRow('work manager, services (publishes `tool.keepalive` to RabbitMQ)', services, 'wm');
  cpuRow('functions process, services (handle-status → MariaDB)', services, 'functions');
  for (const key of ['rabbitmq', 'mariadb']) {
    if (!services.paced[key]) continue;
    cpuRow(`${key === 'rabbitmq' ? 'RabbitMQ (beam.smp)' : 'MariaDB'} during the services run (shared server)`, services, key);
    cpuRow(`${key === 'rabbitmq' ? 'RabbitMQ (beam.smp)' : 'MariaDB'} during the embedded run (unused by it: background)`, embedded, key);
  }
  console.log(`\nKeepalive → its row written (one report, idle): embedded ${ms(embedded.idleKeepaliveToRowMs)}, services ${ms(services.idleKeepaliveToRowMs)}; right after the paced window: embedded ${ms(embedded.pacedKeepaliveToRowMs)}, services ${ms(services.pacedKeepaliveToRowMs)}. Worst send lag behind schedule: ${ms(Math.max(raw.pacedLateMs, embedded.pacedLateMs, services.pacedLateMs))}.`);
  const gross = (r) => r.paced.wm.total;
  console.log(`Work manager process at 1,000 keepalives / 30 s: embedded ${gross(embedded).toFixed(2)} %, services ${gross(services).toFixed(2)} % of one core (target < 5 %); the bare report server at the same load: ${gross(raw).toFixed(2)} %.`);

  const { services: sv, cluster: cl } = steps;
  console.log(`\nStep latency, chain of ${chainLength} no-op tools (\`true\`), ms, p50 / p95 over ${cl.step?.n ?? '-'} steps (cluster: Kubernetes API test double; services: local executor):\n`);
  console.log('| mode | exit → next start (step) | exit → next Job created | exit → `tool.exited` | `tool.exited` → next `tool.ready` | `tool.ready` → Job created (cluster) / start (services) | Pod start: Job created → Start (the double\'s) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| services (RabbitMQ, MariaDB, etcd) | ${p(sv.step)} | - | ${p(sv.exitToExited)} | ${p(sv.exitedToReady)} | ${p(sv.readyToNext)} | - |`);
  console.log(`| cluster (work-manager Job, tool Jobs with sidecar, S3) | ${p(cl.step)} | ${p(cl.exitToJob)} | ${p(cl.exitToExited)} | ${p(cl.exitedToReady)} | ${p(cl.readyToNext)} | ${p(cl.podStart)} |`);
  console.log(`\nIn the cluster's exit → \`tool.exited\`, the sidecar (its own log): exit → outputs uploaded ${p(cl.exitToUploaded)} ms (it watches the folder for the exit file, then uploads the declared outputs to S3), outputs uploaded → Exit accepted and both logs uploaded after it (its 'exit reported' line) ${p(cl.uploadedToReported)} ms.`);
  if (cl.exitToJob && sv.step) {
    console.log(
      `\nCluster exit → next Job p50 ${cl.exitToJob.p50} ms (target ≤ 100 ms) = ${(cl.exitToJob.p50 / sv.step.p50).toFixed(1)}x the services step p50 (${sv.step.p50} ms); against Argo Workflows' requeue ≥ 10 s after a pod event: ${(10_000 / cl.exitToJob.p50).toFixed(0)}x shorter; Nextflow's 5 s Kubernetes poll: ${(5_000 / cl.exitToJob.p50).toFixed(0)}x.`,
    );
  }
}
