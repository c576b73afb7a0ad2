// `format:` as a user meets it (issue 11), through the compiled CLI: `toolflow validate` refuses an
// unknown format at its line and column (exit 2), and `toolflow run` checks each local file's first
// bytes against its input's format before anything is stored or run: exit 2, the input named.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const home = join(dir, 'home');
const env = { TOOLFLOW_HOME: home };
const wf = join(dir, 'wf.yaml');
writeFileSync(wf, `name: fmt\ninputs:\n  reads: {format: fastq}\ntools:\n  - {name: head, mem: 64Mi, cmds: ['zcat -f "$TF_INPUT_reads" | head -1']}\n`);
const fa = join(dir, 'ref.fa');
writeFileSync(fa, '>chr1\nACGT\n');
const fqgz = join(dir, 'r.fq.gz');
writeFileSync(fqgz, execFileSync('gzip', ['-n', '-c'], { input: Buffer.from('@r1\nACGT\n+\nIIII\n') }));

describe('format in toolflow validate and toolflow run', () => {
  it('validate refuses an unknown format at its line and column', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: b\ninputs:\n  reads:\n    format: fastqgz\ntools:\n  - {name: t, cmds: ["true"]}\n');
    const r = await toolflow(['validate', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`1 problem:\n${bad}:4:13: inputs.reads.format: "fastqgz" must be one of fastq, fasta, gzip, bam, text\n`);
  });

  it('run refuses a local file of another format with exit 2, naming the input, before anything runs', async () => {
    const r = await toolflow(['run', wf, '--input', `reads=${fa}`], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`1 problem:\n--input reads=${fa}: reads: "${fa}": expected fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares format: fastq)\n`);
    expect(existsSync(join(home, 'objects'))).toBe(false); // nothing was stored
  });

  it('run takes a gzip-compressed FASTQ for format: fastq', async () => {
    const r = await toolflow(['run', wf, '--input', `reads=${fqgz}`, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
  });
});
