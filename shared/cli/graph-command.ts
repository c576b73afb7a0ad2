/**
 * `toolflow graph WORKFLOW [--input NAME=VALUE…]`: prints a workflow's DAG as a Mermaid flowchart
 * (https://mermaid.js.org/syntax/flowchart.html). With the sample sheets and lists its scattered
 * tools run over, it prints the plan: one node per instance (`align[A]`), with the instance edges
 * (chains item by item, gathers).
 */
import { expandWorkflow } from '../spec/expand.js';
import { buildDag, toMermaid } from '../spec/graph.js';
import { loadWorkflowFile } from '../spec/load.js';
import { resolveInputs } from '../spec/values.js';

/** Options of `toolflow graph`. */
export interface GraphOptions {
  /** `--input` arguments, as `toolflow run` takes them; inputs that are not given are no problem. */
  input?: string[];
}

/**
 * Validates `workflow` and writes its DAG to stdout as Mermaid: the workflow's tools, or with
 * `--input` the plan's instances.
 * @throws SpecError listing every problem (of the workflow, of the inputs given, of the plan: a
 *   scattered tool whose input is not given); a file system error when the file cannot be read.
 */
export async function graphCommand(workflow: string, opts: GraphOptions = {}): Promise<void> {
  const { spec, dag, source } = await loadWorkflowFile(workflow);
  if (!opts.input?.length) {
    process.stdout.write(toMermaid(dag));
    return;
  }
  const { items } = await resolveInputs(spec, opts.input, workflow, { requireAll: false });
  const plan = expandWorkflow(spec, items, undefined, { file: workflow, source });
  const planned = buildDag(plan.tools).dag;
  if (!planned) throw new Error('internal error: the plan of a valid workflow has an invalid DAG');
  process.stdout.write(toMermaid(planned));
}
