/**
 * What is built from reports.proto stays in step with it: the committed generated types, buf's
 * STANDARD lint rules, and the built `dist/` finding the .proto at run time.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPORTS_PROTO, protoRoot } from '../../shared/reports/report-proto.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const GENERATED = join(ROOT, 'shared/reports/generated');

/** Every file below `dir` → its text, keyed by path relative to `dir`. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('reports.proto artifacts', () => {
  it('the committed generated types are what `npm run proto` makes now', async () => {
    const out = tempDir('toolflow-report-types-');
    await exec(process.execPath, [join(ROOT, 'scripts/generate-report-types.mjs'), '--out', out], { cwd: ROOT });
    const fresh = tree(out);
    expect(Object.keys(fresh)).toContain('toolflow/reports/v1/ExitRequest.ts');
    expect(tree(GENERATED), 'shared/reports/generated/ is stale: run npm run proto and commit the result').toEqual(fresh);
  });

  it('buf lint (STANDARD rules, proto/buf.yaml) finds nothing', async () => {
    const { stdout, stderr } = await exec(join(ROOT, 'node_modules/.bin/buf'), ['lint', 'proto'], { cwd: ROOT });
    expect(stdout + stderr).toBe('');
  });

  it('the sources find the .proto', () => {
    expect(readFileSync(join(protoRoot(), REPORTS_PROTO), 'utf8')).toContain('service AttemptReportService');
  });

  it('the build (dist/) finds the .proto and serves a report', async () => {
    const script = `
      const { startReportServer } = await import(${JSON.stringify(join(ROOT, 'dist/shared/reports/report-server.js'))});
      const { ReportClient } = await import(${JSON.stringify(join(ROOT, 'dist/shared/reports/report-client.js'))});
      const { attemptToken } = await import(${JSON.stringify(join(ROOT, 'dist/shared/reports/attempt-token.js'))});
      const { pino } = await import('pino');
      const got = [];
      const server = await startReportServer({ listen: '127.0.0.1:0', secret: 's', deliver: (r) => (got.push(r), 'accepted'), log: pino({ level: 'silent' }) });
      const client = new ReportClient({ address: '127.0.0.1:' + server.port });
      const report = { kind: 'start', taskId: 't1', tool: 'x', attempt: 1, at: 42 };
      const outcome = await client.send(report, attemptToken('s', report));
      client.close();
      await server.close();
      console.log(JSON.stringify({ outcome, got }));`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT }).catch((err: Error) => {
      throw new Error(`loading the report service from dist/ failed (run npm run build first): ${err.message}`);
    });
    expect(JSON.parse(stdout)).toEqual({ outcome: 'accepted', got: [{ kind: 'start', taskId: 't1', tool: 'x', attempt: 1, at: 42 }] });
  });
});
