import { UsageError } from '../cli-errors.js';
import { GLOBAL_OPTIONS, type Command, type OptionSpecs } from '../command.js';

/** `asof help [command]`, built over the command list it describes (passed lazily: the list includes it). */
export function createHelpCommand(commands: () => readonly Command[]): Command {
  const help: Command = {
    name: 'help',
    summary: 'show the commands, or one command’s flags',
    usage: 'asof help [command]',
    options: {},
    maxPositionals: 1,
    needsRoot: false,
    async run(ctx, args) {
      const name = args.positionals[0];
      if (name === undefined) return ctx.print(overview(commands()));
      const command = commands().find((c) => c.name === name);
      if (!command) throw new UsageError(`unknown command '${name}'`, help.usage);
      ctx.print(commandHelp(command));
    },
  };
  return help;
}

/** The text of `asof help`. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'asof: a feature store for TypeScript; this CLI materializes and maintains the offline store.',
    '',
    'usage: asof <command> [flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global flags (every command):',
    ...flagLines(GLOBAL_OPTIONS),
    '',
    "Run 'asof help <command>' for a command's flags. Exit codes: 0 ok, 1 failed, 2 usage or unavailable, 130 interrupted.",
  ].join('\n');
}

/** The text of `asof help <command>` and `asof <command> --help`. */
export function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length > 0 ? ['', 'flags:', ...flagLines(command.options)] : [];
  return [`usage: ${command.usage}`, '', command.summary, ...own, '', 'global flags:', ...flagLines(GLOBAL_OPTIONS)].join('\n');
}

function flagLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, spec]) => [`--${name}${spec.value ? ` ${spec.value}` : ''}${spec.multiple ? '...' : ''}`, spec.description] as const);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}
