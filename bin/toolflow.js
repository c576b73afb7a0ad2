#!/usr/bin/env node
// The `toolflow` command: runs the compiled CLI (npm ci builds it through the prepare script).
import '../dist/shared/cli/main.js';
