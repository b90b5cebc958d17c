import { constants } from 'node:os';
import type { PipelinePort } from '../engine/pipeline-port.js';
import { runCli } from './run-cli.js';

/** Options of {@link runCliProcess}. */
export interface CliProcessOptions {
  /** The pipeline the commands run with (`null`: pipeline commands exit 2). */
  readonly pipeline: PipelinePort | null;
  /** Relative paths resolve here (default: `process.cwd()`). */
  readonly cwd?: string;
  /**
   * After the first SIGINT or SIGTERM, how long a command may take to stop
   * (release its leases, abort its writers) before the process exits
   * anyway (default 10 s).
   */
  readonly graceMs?: number;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const DEFAULT_GRACE_MS = 10_000;

/**
 * Runs `asof` as this process: argv, stdio, environment, signals and the
 * exit code around {@link runCli}. SIGINT or SIGTERM aborts the command
 * (it stops at its next check, releases leases and exits 130 or 143); a
 * second signal, or a command still running after the grace period (stuck
 * in a call that cannot be interrupted), ends the process at once with
 * the same code. Used by the published binary and the workspace's
 * `pnpm asof`, so both behave alike.
 */
export async function runCliProcess(options: CliProcessOptions): Promise<void> {
  const controller = new AbortController();
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let stoppedBy: (typeof STOP_SIGNALS)[number] | null = null;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      const code = 128 + constants.signals[signal];
      if (stoppedBy !== null) process.exit(code); // a second signal does not wait
      stoppedBy = signal;
      controller.abort(new Error(`interrupted by ${signal}`));
      // Unref'd: it fires only if the command does not end by itself, e.g. inside a system call that never returns.
      setTimeout(() => {
        process.stderr.write(`asof: still running ${graceMs} ms after ${signal}; exiting without waiting (${signal})\n`);
        process.exit(code);
      }, graceMs).unref();
    });
  }
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: options.cwd ?? process.cwd(),
    signal: controller.signal,
    pipeline: options.pipeline,
  });
  const exit = stoppedBy === null ? code : 128 + constants.signals[stoppedBy as (typeof STOP_SIGNALS)[number]];
  process.exitCode = exit;
  // An SDK client's idle sockets must not keep a finished command alive; unref'd, this fires only if something else would.
  setTimeout(() => process.exit(exit), 2000).unref();
}
