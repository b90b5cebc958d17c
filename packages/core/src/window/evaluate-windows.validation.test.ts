import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { int64Col, tsCol } from '../../../../test/helpers/window-arrow.js';
import { avg, count, max, sum, where, type Aggregation } from '../definitions/aggregation.js';
import { int64 } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import { evaluateWindows, type EvaluateWindowsOptions } from './evaluate-windows.js';

const MS = 1000n;
const run = (events: Table, aggregations: Record<string, Aggregation>, extra: Partial<EvaluateWindowsOptions> = {}) =>
  evaluateWindows(events, { keys: ['id'], eventTime: 'ts', aggregations, ...extra });

describe('evaluateWindows: validation', () => {
  const events = new Table({ id: int64Col([1n]), ts: tsCol([MS]), name: vectorFromArray(['a'], new Utf8()) });

  it('names a missing column and lists the available ones', () => {
    expect(() => run(events, { s: sum('amount', { window: 1 }) })).toThrow(/'amount' not found.*id, ts, name/);
    expect(() => run(events, { s: count({ window: 1, where: { status: 'x' } }) })).toThrow(/'status' not found/);
    expect(() => run(events, {}, { eventTime: 'when' })).toThrow(/'when' not found/);
    expect(() => run(events, {}, { keys: ['account'] })).toThrow(/'account' not found/);
  });

  it('rejects aggregations the column type cannot support', () => {
    expect(() => run(events, { s: sum('name', { window: 1 }) })).toThrow(InvalidInputError);
    expect(() => run(events, { s: avg('name', { window: 1 }) })).toThrow(/cannot avg/);
    expect(() => run(events, { m: max('name', { window: 1, type: int64() }) })).toThrow(/cannot be returned as int64/);
    expect(() => run(events, { n: count({ window: 1, where: where('name', '>', 3) }) })).toThrow(/cannot compare/);
  });

  it('rejects null event times, asKnownAt without a created time, and clashing names', () => {
    const nullTime = new Table({ id: int64Col([1n, 1n]), ts: tsCol([MS, null]) });
    expect(() => run(nullTime, { n: count({ window: 1 }) })).toThrow(/row 1 has a null 'ts'/);
    expect(() => run(events, { n: count({ window: 1 }) }, { asKnownAt: 0n })).toThrow(/asKnownAt needs createdTime/);
    expect(() => run(events, { id: count({ window: 1 }) })).toThrow(/'id' would appear twice/);
  });
});
