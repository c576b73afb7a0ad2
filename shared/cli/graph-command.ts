/** `toolflow graph WORKFLOW`: prints a workflow's DAG as a Mermaid flowchart (https://mermaid.js.org/syntax/flowchart.html). */
import { toMermaid } from '../spec/graph.js';
import { loadWorkflowFile } from '../spec/load.js';

/**
 * Validates `workflow` and writes its DAG to stdout as Mermaid.
 * @throws SpecError listing every problem; a file system error when the file cannot be read.
 */
export async function graphCommand(workflow: string): Promise<void> {
  const { dag } = await loadWorkflowFile(workflow);
  process.stdout.write(toMermaid(dag));
}
