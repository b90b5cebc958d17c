import { readStoreSettings } from '@asof/stores';
import { flagArg, parseCommandArgs, stringArg } from './args.js';
import { describeStack, EXIT, exitCodeOf, failureLine, UsageError } from './cli-errors.js';
import type { CommandArgs } from './command.js';
import { findCommand, suggestCommand } from './commands/index.js';
import { commandHelp } from './commands/help.js';
import { createContext, type TextSink } from './context.js';
import { createLogger, type LogFormat, type Logger } from '../engine/logger.js';
import type { PipelinePort } from '../engine/pipeline-port.js';
import { createBarProgress, createLineProgress, type ProgressReporter, type ProgressStream } from './progress.js';

/** What the CLI runs against: the process in `main.ts`, buffers in tests. */
export interface CliIo {
  /** Summary tables and help. */
  readonly stdout: TextSink;
  /** Logs, progress and the failure line; `isTTY` picks bars and pretty logs. */
  readonly stderr: ProgressStream;
  /** Default: `process.env` (`ASOF_ROOT`, `ASOF_SOURCE_URL`, `ASOF_S3_ENDPOINT`, `ASOF_COMMIT_COORDINATOR`, `ASOF_DYNAMODB_ENDPOINT`, `ASOF_ONLINE`, AWS credentials and region). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths resolve here (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Abort to interrupt (Ctrl-C); the run then exits 130. */
  readonly signal?: AbortSignal;
  /** The materialization pipeline; `null`/absent: commands that need it exit 2. */
  readonly pipeline?: PipelinePort | null;
  readonly now?: () => Date;
  /** Without a terminal, progress records at most this often (default 5000 ms). */
  readonly progressIntervalMs?: number;
}

/**
 * Runs one `asof` command line in-process and returns its exit code:
 * 0 ok, 1 failed, 2 usage error or command unavailable, 130 interrupted.
 * Never throws and never exits the process. On failure it writes exactly one
 * line to stderr, `asof: <command> failed: <message> (<code>)`, plus the
 * stack and causes with `--verbose`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const signal = io.signal ?? new AbortController().signal;
  const writeErr = (line: string) => void io.stderr.write(`${line}\n`);
  const [first, ...rest] = argv;
  const name = first === undefined || first === '--help' || first === '-h' ? 'help' : first;
  const command = findCommand(name);
  if (!command) {
    const guess = suggestCommand(name);
    writeErr(failureLine(null, new UsageError(`unknown command '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; run 'asof help'`)));
    return EXIT.usage;
  }

  let progress: ProgressReporter | undefined;
  let verbose = rest.includes('--verbose');
  try {
    const args = parseCommandArgs(command, name === first ? rest : []);
    verbose = flagArg(args, 'verbose');
    if (flagArg(args, 'help')) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    const tty = io.stderr.isTTY === true;
    let logger: Logger | undefined;
    progress = tty
      ? createBarProgress(io.stderr)
      : createLineProgress({
          report: (fields) => logger?.info('progress', fields),
          write: writeErr,
          ...(io.progressIntervalMs !== undefined ? { intervalMs: io.progressIntervalMs } : {}),
        });
    const sink = progress;
    logger = createLogger({
      format: logFormat(args, tty, command.usage),
      write: (line) => sink.log(line),
      level: verbose ? 'debug' : 'info',
      ...(io.now ? { now: io.now } : {}),
    }).child({ command: command.name });
    // The SDK reads the same settings the same way (flags here, options there, over the ASOF_* variables).
    const stores = readStoreSettings(
      {
        root: stringArg(args, 'root'),
        s3Endpoint: stringArg(args, 's3-endpoint'),
        dynamodbEndpoint: stringArg(args, 'dynamodb-endpoint'),
        commitCoordinator: stringArg(args, 'commit-coordinator'),
        online: stringArg(args, 'online'),
      },
      env,
    );
    const root = stores.root ?? '';
    if (command.needsRoot && root === '') throw new UsageError('missing --root <dir|s3://bucket/prefix> (or set ASOF_ROOT)', command.usage);
    const ctx = createContext({
      command: command.name,
      root,
      definitions: stringArg(args, 'definitions'),
      stores,
      sourceUrl: stringArg(args, 'source') ?? nonEmpty(env.ASOF_SOURCE_URL),
      verbose,
      cwd: io.cwd ?? process.cwd(),
      logger,
      progress,
      stdout: io.stdout,
      signal,
      pipeline: io.pipeline ?? null,
      now: io.now ?? (() => new Date()),
    });
    try {
      await command.run(ctx, args);
    } finally {
      await ctx.close();
    }
    progress.stop();
    if (signal.aborted) {
      writeErr(`asof: ${command.name} interrupted (ABORTED)`);
      return EXIT.interrupted;
    }
    return EXIT.ok;
  } catch (error) {
    progress?.stop();
    const code = exitCodeOf(error, signal);
    writeErr(code === EXIT.interrupted ? `asof: ${command.name} interrupted (ABORTED)` : failureLine(command.name, error));
    if (verbose && code !== EXIT.usage) writeErr(describeStack(error));
    return code;
  }
}

function logFormat(args: CommandArgs, tty: boolean, usage: string): LogFormat {
  const given = stringArg(args, 'log-format');
  if (given === undefined) return tty ? 'pretty' : 'json';
  if (given !== 'json' && given !== 'pretty') throw new UsageError(`--log-format must be json or pretty, got ${JSON.stringify(given)}`, usage);
  return given;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
