/**
 * `toolflow validate WORKFLOW [--json]`: checks a workflow file and prints what it holds. Invalid
 * files throw SpecError (every issue, in file order), which `main.ts` prints and turns into exit 2.
 */
import { loadWorkflowFile } from '../spec/load.js';
import { countOf } from './messages.js';

/**
 * Validates `workflow` and writes one line (or, with `json`, one JSON object
 * `{"status": "valid", "tools", "dependencies", "inputs"}`) to stdout.
 * @throws SpecError listing every problem; a file system error when the file cannot be read.
 */
export async function validateCommand(workflow: string, opts: { json?: boolean }): Promise<void> {
  const { spec, dag } = await loadWorkflowFile(workflow);
  const edges = dag.parents.reduce((n, p) => n + p.length, 0);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ status: 'valid', tools: spec.tools.length, dependencies: edges, inputs: spec.inputs.length }) + '\n');
    return;
  }
  process.stdout.write(`${workflow}: valid: ${countOf(spec.tools.length, 'tool')}, ${countOf(edges, 'dependency', 'dependencies')}, ${countOf(spec.inputs.length, 'input')}\n`);
}
