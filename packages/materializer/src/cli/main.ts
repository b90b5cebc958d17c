#!/usr/bin/env node
/**
 * The `asof` binary: wires the process (argv, stdio, environment, signals,
 * exit code) to {@link runCli}. Everything else is testable in-process.
 */
import { loadPipeline } from './pipeline-binding.js';
import { runCli } from './run-cli.js';

// stderr carries JSON log lines: the AWS SDK's multi-line Node-version notice would break them (set it to 'false' to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The first Ctrl-C aborts cleanly (leases released, writers aborted); a second one does not wait.
    if (++interrupts > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${signal}`));
  });
}

// `pnpm asof` runs from the workspace root; relative paths should mean what they meant where the user typed them.
const cwd = process.env.npm_lifecycle_event === 'asof' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd,
  signal: controller.signal,
  pipeline: await loadPipeline(),
});
process.exitCode = code;
// An SDK client's idle sockets must not keep a finished command alive; unref'd, this fires only if something else would.
setTimeout(() => process.exit(code), 2000).unref();
