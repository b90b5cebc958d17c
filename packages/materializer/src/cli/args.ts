import { parseArgs } from 'node:util';
import { parseIsoMicros, toMillis, nearest, type DurationInput } from '@asof/core';
import { UsageError } from './cli-errors.js';
import { GLOBAL_OPTIONS, type Command, type CommandArgs } from './command.js';

/**
 * Parses a command's flags strictly (unknown flags, missing values and
 * stray positionals are {@link UsageError}s naming the command's usage).
 * `node:util` `parseArgs` does the parsing; this only shortens its messages
 * to one line.
 */
export function parseCommandArgs(command: Command, argv: readonly string[]): CommandArgs {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple ?? false }])),
      strict: true,
      allowPositionals: (command.maxPositionals ?? 0) > 0,
    });
    if (parsed.positionals.length > (command.maxPositionals ?? 0)) {
      throw new UsageError(`unexpected argument '${parsed.positionals.at(-1)}'`, command.usage);
    }
    return { values: parsed.values as CommandArgs['values'], positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(shorten(error, Object.keys(options)), command.usage);
  }
}

/** A string flag's value, or `undefined`. */
export function stringArg(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string flag that must be given. */
export function requiredArg(args: CommandArgs, name: string, command: Command): string {
  const value = stringArg(args, name);
  if (value === undefined || value === '') throw new UsageError(`missing --${name}`, command.usage);
  return value;
}

/** Every value of a repeatable flag, without duplicates, in order. */
export function listArg(args: CommandArgs, name: string): string[] {
  const value = args.values[name];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return [...new Set(list.flatMap((v: string) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

/** A boolean flag. */
export function flagArg(args: CommandArgs, name: string): boolean {
  return args.values[name] === true;
}

/** An ISO-8601 instant with an offset, as epoch µs; anything else is a usage error (asof never guesses a time zone). */
export function instantArg(args: CommandArgs, name: string, command: Command): bigint {
  const text = requiredArg(args, name, command);
  try {
    return parseIsoMicros(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, command.usage);
  }
}

/** A duration such as `10m`, `7d`, `90s` or `500ms`, in ms; it must be positive. */
export function durationArg(args: CommandArgs, name: string, command: Command, fallback?: DurationInput): number | undefined {
  const text = stringArg(args, name);
  if (text === undefined) return fallback === undefined ? undefined : toMillis(fallback);
  if (/^\s*-/.test(text) || /^\s*0+(\.0+)?\s*(ms|s|m|h|d)\s*$/.test(text)) {
    throw new UsageError(`--${name} must be a positive duration such as 7d, 12h or 30m, got ${JSON.stringify(text)}`, command.usage);
  }
  try {
    return toMillis(text as DurationInput, `--${name}`);
  } catch (error) {
    throw new UsageError((error as Error).message, command.usage);
  }
}

/** A positive decimal number (`1.5`, `10`; not `-1`, `0`, `0x10` or `1e3`). */
export function numberArg(args: CommandArgs, name: string, command: Command): number | undefined {
  const text = stringArg(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(text)}`, command.usage);
  }
  return n;
}

/**
 * `--term-days -5` as `--term-days=-5`: `parseArgs` reads a value that
 * starts with a dash as a missing value ("argument is ambiguous"), which
 * hides the real problem; joined, the flag's own check says the value must
 * be positive. Only values that look like numbers are joined.
 */
function joinNegativeValues(argv: readonly string[], options: Readonly<Record<string, { type: string }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function shorten(error: unknown, known: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? '?';
    const guess = flag.startsWith('--') ? nearest(flag.slice(2), known) : undefined;
    return `unknown option '${flag}'${guess ? ` (did you mean '--${guess}'?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument '${/'([^']+)'/.exec(message)?.[1] ?? '?'}'`;
  return message.split(/\.\s/)[0]!.replace(/\.$/, '');
}
