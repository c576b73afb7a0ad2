/**
 * What every generator script does with its output, by its first argument: none writes `out`
 * (making its folder), `--stdout` prints it, `--check` exits 1 when the committed `out` differs
 * (naming `source` and the command that remakes it); anything else exits 2.
 * @param {string} text the generated file
 * @param {string} out where it is committed
 * @param {string} source what it is generated from (for the message)
 * @param {string | undefined} mode `process.argv[2]`
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function emitGenerated(text, out, source, mode) {
  if (mode === '--stdout') process.stdout.write(text);
  else if (mode === '--check') {
    let committed = '';
    try {
      committed = readFileSync(out, 'utf8');
    } catch {
      // missing: out of date
    }
    if (committed !== text) {
      process.stderr.write(`${out} is out of date with ${source}: run npm run schemas and commit the result\n`);
      process.exit(1);
    }
  } else if (mode === undefined) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    process.stdout.write(`wrote ${out}\n`);
  } else {
    process.stderr.write(`unknown argument ${mode}: use no argument (write), --stdout or --check\n`);
    process.exit(2);
  }
}
