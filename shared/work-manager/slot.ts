/**
 * What a work manager knows of each tool of its task.
 */
import type { Resources } from '../scheduler/resources.js';
import type { ToolSpec } from '../spec/types.js';

/** Where a tool is, as the work manager sees it. `deciding`: its attempt failed, the rerun policy decides. */
export type ToolState = 'waiting' | 'queued' | 'dispatched' | 'running' | 'deciding' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** One tool of the task, as the work manager tracks it: its latest attempt and where it is. */
export interface Slot {
  spec: ToolSpec;
  state: ToolState;
  attempt: number;
  resources: Resources;
  /** Dependencies not yet succeeded. */
  waitingOn: number;
  reserved: boolean;
  /** The attempt ran past its time limit and is being stopped: its exit, when it comes, is a `timeout`. */
  expired?: boolean;
  /** When the current attempt was delivered (its `tool.ready`), epoch ms: where its queue wait starts (metrics). */
  readyAt?: number;
  /** When the current attempt started (its start report's time), while it runs here: it counts in `toolflow_tools_running`. */
  startedAt?: number;
}

/** States no tool leaves. */
export const TERMINAL = new Set<ToolState>(['succeeded', 'failed', 'skipped', 'cancelled']);
