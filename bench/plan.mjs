#!/usr/bin/env node
// Parses, validates and plans one workflow file, then prints {"tools", "ms", "maxRssMB"} as JSON.
// Run in its own process so that its peak memory is its own. Usage: node bench/plan.mjs WORKFLOW
import { loadWorkflowFile } from '../dist/shared/spec/load.js';

const t0 = performance.now();
const { spec, dag } = await loadWorkflowFile(process.argv[2]);
const ready = dag.order.filter((i) => dag.parents[i].length === 0);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ tools: spec.tools.length, initiallyReady: ready.length, ms: Math.round(ms), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
