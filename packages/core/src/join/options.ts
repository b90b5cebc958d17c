import type { TimeInput } from '../time/timestamp.js';

/**
 * Options of {@link pointInTimeJoin}. Names are those of DESIGN §4; the
 * optional extras (`tombstone`, `features`, `prefix`, `eventTimeAs`) only add.
 */
export interface PointInTimeJoinOptions {
  /** Join-key columns, named the same in the spine and the rows (int or string; composite allowed). */
  readonly keys: readonly string[];
  /** The spine's time column: the instant each spine row asks about. */
  readonly spineTime: string;
  /** The rows' event-time column: when the fact was true in the world. */
  readonly eventTime: string;
  /** The rows' created-time column: when the store learned the fact (tie-break and `asKnownAt`). */
  readonly createdTime?: string;
  /** Time to live in milliseconds: a row qualifies only if `event_ts >= t - ttl` (inclusive). Absent = unbounded. */
  readonly ttl?: number;
  /** Only rows with `created_ts <= asKnownAt` qualify (rows with a null created time never do). */
  readonly asKnownAt?: TimeInput;
  /** A boolean column of the rows; `true` marks a delete, which makes later lookups null. */
  readonly tombstone?: string;
  /** Row columns to output; default every column that is not a key, a time or the tombstone. */
  readonly features?: readonly string[];
  /** Prefix for output feature column names (e.g. `"view__"`). */
  readonly prefix?: string;
  /** If set, also output the chosen row's event time under this name. */
  readonly eventTimeAs?: string;
}
