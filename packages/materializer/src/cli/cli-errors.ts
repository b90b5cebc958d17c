import { AsofError } from '@asof/core';
import { CommandUnavailableError } from '../engine/errors.js';

/** Process exit codes of `asof`. */
export const EXIT = Object.freeze({
  ok: 0,
  /** The command ran and failed (a view failed, a store error, ...). */
  failed: 1,
  /** The command line was wrong, or the command cannot run in this build: nothing was attempted. */
  usage: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT), as shells expect. */
  interrupted: 130,
});

/** A command line the CLI cannot run: unknown command or flag, missing or malformed value. Exit code 2. */
export class UsageError extends AsofError {
  /** The usage line of the command, appended to the one-line message. */
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super('INVALID_INPUT', message);
    this.usage = usage;
  }
}

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown, signal: AbortSignal): number {
  if (error instanceof UsageError || error instanceof CommandUnavailableError) return EXIT.usage;
  if (signal.aborted) return EXIT.interrupted;
  return EXIT.failed;
}

/** The one line printed on failure: `asof: <command> failed: <message> (<code>)`, with the usage for usage errors. */
export function failureLine(command: string | null, error: unknown): string {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const usage = error instanceof UsageError && error.usage ? `; usage: ${error.usage}` : '';
  const subject = command ? `${command} failed: ` : '';
  return `asof: ${subject}${message}${usage} (${codeOf(error)})`;
}

/** The stable code of an error: an `AsofError`'s code, a Node error's (`ENOENT`), else `INTERNAL`. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'INTERNAL';
}

/** The stack and every `cause` below it, for `--verbose`. */
export function describeStack(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    parts.push(depth === 0 ? stackOf(current) : `caused by: ${stackOf(current)}`);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
