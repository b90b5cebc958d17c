import type { OptionSpec } from '../command.js';

/**
 * `--rebase-source`, taken by the one-off runs (`materialize`,
 * `materialize-incremental`). `schedule` does not take it: a scheduler that
 * re-based on whatever it reached at each tick would follow a wrong address
 * silently; re-base once, then schedule.
 */
export const REBASE_SOURCE_OPTION: OptionSpec = {
  type: 'boolean',
  description:
    "the --source is not the root's recorded source but holds the same data at a new address (a migration, a restore, a new cluster): re-base the root on it and re-read every source in full",
};
