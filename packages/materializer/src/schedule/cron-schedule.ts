import { Cron } from 'croner';
import { InvalidInputError } from '@asof/core';

/**
 * A cron expression evaluated in UTC (croner: 5 fields, or 6 with seconds
 * first; `@daily` and the like). Only computes tick times: the scheduler
 * owns the waiting, so a fake clock can drive it.
 */
export class CronSchedule {
  readonly expression: string;
  private readonly cron: Cron;

  constructor(expression: string) {
    this.expression = expression;
    try {
      // `paused` and no callback: croner starts no timer of its own.
      this.cron = new Cron(expression, { timezone: 'UTC', paused: true });
    } catch (error) {
      throw new InvalidInputError(`invalid cron expression ${JSON.stringify(expression)}: ${(error as Error).message.replace(/^CronPattern: /, '')}`, {
        cause: error,
      });
    }
    if (this.cron.nextRun(new Date(0)) === null) throw new InvalidInputError(`cron expression ${JSON.stringify(expression)} never fires`);
  }

  /** The first tick strictly after `afterMs` (epoch ms), or `null` if there is none. */
  next(afterMs: number): number | null {
    return this.cron.nextRun(new Date(afterMs))?.getTime() ?? null;
  }
}
