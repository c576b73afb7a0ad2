/**
 * The declared formats of local input files (issue 11), checked by `toolflow run` before anything
 * is stored: each file input, each item of a list of files and each file cell of a sample sheet
 * whose column declares `format:` has its first SNIFF_BYTES read and checked
 * (shared/uploads/format-check.ts `checkFormat`). A file given under several names with the same
 * format is read once.
 */
import type { SpecIssue } from '../errors.js';
import { checkFileFormat } from '../uploads/format-check.js';
import type { FileFormat } from '../uploads/upload-doc.js';
import { quotedName } from '../uploads/upload-names.js';

/** One local file to check: where it is, what it must be, and where an issue about it goes. */
export interface FormatCheck {
  /** The file's path (absolute, or as given: it is opened as it is). */
  path: string;
  /** The path as the user wrote it, for the message. */
  shown: string;
  format: FileFormat;
  /** Where the format is declared, for the message: `inputs.reads`, `inputs.samples.columns.fastq`. */
  declaredAt: string;
  /** The issue's position (`file`, `line`, `column`, `path`): the argument, list item or sheet cell. */
  at: Omit<SpecIssue, 'message'>;
}

/** Files read at once. */
const CHECKS_AT_ONCE = 16;

/**
 * Checks local files against their declared formats.
 * @returns for each check, in order, its issue when the file does not fit (`"x.fa": expected
 *   fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares
 *   format: fastq)`) or cannot be read; undefined when it fits.
 * @throws nothing.
 */
export async function checkLocalFormats(checks: FormatCheck[]): Promise<(SpecIssue | undefined)[]> {
  const verdicts = new Map<string, Promise<string | undefined>>();
  const queue: (() => void)[] = [];
  let running = 0;
  // At most CHECKS_AT_ONCE files open at once, whatever the number of cells.
  const limited = (f: () => Promise<string | undefined>) =>
    new Promise<string | undefined>((resolve) => {
      const start = () => {
        running++;
        f()
          .then(resolve, (err: unknown) => resolve(`cannot be read to check its format: ${(err as Error).message}`))
          .finally(() => {
            running--;
            queue.shift()?.();
          });
      };
      if (running < CHECKS_AT_ONCE) start();
      else queue.push(start);
    });
  const verdictOf = (c: FormatCheck) => {
    const key = `${c.format}\u0000${c.path}`;
    let v = verdicts.get(key);
    if (!v) verdicts.set(key, (v = limited(() => checkFileFormat(c.format, c.path))));
    return v;
  };
  const found = await Promise.all(checks.map(verdictOf));
  return checks.map((c, k) => {
    const why = found[k];
    return why === undefined ? undefined : { ...c.at, message: `${quotedName(c.shown)}: ${why} (${c.declaredAt} declares format: ${c.format})` };
  });
}

/** `checkLocalFormats`, only the issues, in the order of `checks`. @throws nothing. */
export async function localFormatIssues(checks: FormatCheck[]): Promise<SpecIssue[]> {
  return (await checkLocalFormats(checks)).filter((i): i is SpecIssue => i !== undefined);
}
