import type { CommandContext } from './context.js';

/** One flag of a command, as `node:util` `parseArgs` takes it plus what `help` shows. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (`--view a --view b`). */
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `<iso>`. */
  readonly value?: string;
  readonly description: string;
}

/** Flags by long name (without `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What `parseArgs` produced for a command: flag values by name, then positionals. */
export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * A CLI command: a small module with its flags and a `run`. The registry in
 * `commands/index.ts` lists them; `runCli` parses the command line with the
 * command's flags plus the global ones and calls `run`. `run` prints its
 * summary to `ctx.stdout` and throws on failure (an `AsofError` with a code).
 */
export interface Command {
  readonly name: string;
  /** One line for `asof help`. */
  readonly summary: string;
  /** The synopsis, e.g. `asof compact [--view <name>]... [--target-file-mb <n>]`. */
  readonly usage: string;
  /** The command's own flags; the global ones (`--root`, ...) are added by `runCli`. */
  readonly options: OptionSpecs;
  /** How many positional arguments it takes (default 0). */
  readonly maxPositionals?: number;
  /** Whether it needs `--root` (every command but `help`). */
  readonly needsRoot: boolean;
  run(ctx: CommandContext, args: CommandArgs): Promise<void>;
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  root: { type: 'string', value: '<dir|s3://bucket/prefix>', description: 'offline store root (default: $ASOF_ROOT)' },
  definitions: { type: 'string', value: '<module>', description: 'a .ts/.js module exporting entities, sources, feature views and services' },
  'log-format': { type: 'string', value: 'json|pretty', description: 'log records on stderr (default: pretty on a terminal, else json)' },
  's3-endpoint': { type: 'string', value: '<url>', description: 'S3-compatible endpoint for s3:// roots (default: $ASOF_S3_ENDPOINT, else AWS)' },
  'commit-coordinator': {
    type: 'string',
    value: 'dynamodb://<table>',
    description: 'serialise commits and hold leases in DynamoDB (for S3 endpoints without If-None-Match; default: $ASOF_COMMIT_COORDINATOR)',
  },
  online: {
    type: 'string',
    value: 'lmdb:<dir>|dynamodb://<table>|none',
    description: 'the online store runs publish to (default: $ASOF_ONLINE, else lmdb:<root>/_online for a local root, none for S3)',
  },
  source: { type: 'string', value: 'mysql://user:pass@host:port/db', description: 'the source database to extract from (default: $ASOF_SOURCE_URL)' },
  'dynamodb-endpoint': { type: 'string', value: '<url>', description: 'DynamoDB endpoint, e.g. DynamoDB Local (default: $ASOF_DYNAMODB_ENDPOINT, else AWS)' },
  verbose: { type: 'boolean', description: 'debug logs, and the stack trace on failure' },
  help: { type: 'boolean', description: "show the command's help" },
};
