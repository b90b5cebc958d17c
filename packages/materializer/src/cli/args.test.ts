/** Numeric and duration flags: negative, zero and malformed values are usage errors that say what a valid value is. */
import { describe, expect, it } from 'vitest';
import { cli } from './testing/cli-harness.js';

const root = ['--root', '/tmp/asof-args-test-never-created'];

describe('numeric and duration flags', () => {
  it.each([
    [['export', 'invoices', ...root, '--to', '/tmp/x', '--term-days', '-5'], '--term-days must be a positive number, got "-5"'],
    [['export', 'invoices', ...root, '--to', '/tmp/x', '--term-days=-5'], '--term-days must be a positive number, got "-5"'],
    [['export', 'invoices', ...root, '--to', '/tmp/x', '--term-days', '0'], '--term-days must be a positive number, got "0"'],
    [['export', 'invoices', ...root, '--to', '/tmp/x', '--term-days', '0x10'], '--term-days must be a positive number, got "0x10"'],
    [['vacuum', ...root, '--grace', '-7d'], '--grace must be a positive duration such as 7d, 12h or 30m, got "-7d"'],
    [['vacuum', ...root, '--grace=-7d'], '--grace must be a positive duration such as 7d, 12h or 30m, got "-7d"'],
    [['vacuum', ...root, '--grace', '0d'], '--grace must be a positive duration such as 7d, 12h or 30m, got "0d"'],
    [['compact', ...root, '--keep-full', '-30d'], '--keep-full must be a positive duration such as 7d, 12h or 30m, got "-30d"'],
    [['compact', ...root, '--keep-full', '30d', '--keep-coarse', '-1d'], '--keep-coarse must be a positive duration such as 7d, 12h or 30m, got "-1d"'],
    [['compact', ...root, '--target-file-mb', '-1'], '--target-file-mb must be a positive number, got "-1"'],
    [['schedule', ...root, '--cron', '0 * * * *', '--lookback', '-1d'], '--lookback must be a positive duration such as 7d, 12h or 30m, got "-1d"'],
    [['schedule', ...root, '--cron', '0 * * * *', '--lease-ttl', '-10m'], '--lease-ttl must be a positive duration such as 7d, 12h or 30m, got "-10m"'],
    [['schedule', ...root, '--cron', '0 * * * *', '--max-ticks', '-2'], '--max-ticks must be a positive number, got "-2"'],
  ])('%j is a usage error naming the flag and the valid values', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toContain(`failed: ${message}; usage: asof `);
  });

  it('still takes positive values and leaves a value after -- alone', async () => {
    const r = await cli(['vacuum', ...root, '--grace', '7d', '--dry-run']);
    expect(r.errLines.at(-1)).not.toMatch(/must be a positive/);
    const sql = await cli(['sql', ...root, '--', '-1']);
    expect(sql.errLines.at(-1)).not.toMatch(/ambiguous|must be a positive/);
  });
});
