#!/usr/bin/env node
/**
 * The `asof` binary: the CLI as a process (argv, stdio, environment,
 * signals, exit code) with the materialization pipeline plugged in.
 * Everything else is testable in-process through `runCli`.
 */
import { loadPipeline } from './pipeline-binding.js';
import { runCliProcess } from './process-main.js';

// `pnpm asof` runs from the workspace root; relative paths should mean what they meant where the user typed them.
const cwd = process.env.npm_lifecycle_event === 'asof' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

await runCliProcess({ pipeline: await loadPipeline(), cwd });
