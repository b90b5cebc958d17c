import { AsofError } from '@asof/core';

/**
 * A command whose implementation this build lacks (no demo data, no
 * example loader, no pipeline plugged in): nothing was attempted. The CLI
 * exits with code 2 for it, as for a usage error.
 */
export class CommandUnavailableError extends AsofError {
  constructor(command: string, what: string) {
    super('CONFIG', `'${command}' is not available yet: ${what}`);
  }
}
