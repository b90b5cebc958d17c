/**
 * Collects driver rows into one Arrow record batch, writing each value
 * straight into preallocated typed arrays (no intermediate JS objects, no
 * `vectorFromArray`, which would lose microseconds through `Date`).
 */
import {
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  type Data,
  type DataType,
} from 'apache-arrow';
import { InvalidInputError, toArrowType, type DecimalDType } from '@asof/core';
import type { ColumnPlan } from './type-map.js';
import { parseDays, parseWallMicros, parseWallMicrosNumber, writeDecimalString } from './value-parsers.js';
import type { WallClock } from './wall-clock.js';

/** What the builders need besides the plan. */
export interface BuildContext {
  /** Names the relation in errors, e.g. `table 'invoices'`. */
  readonly relation: string;
  /** The zone DATETIME values are written in. */
  readonly clock: WallClock;
  /** What to do with zero or impossible dates: fail (default) or store null. */
  readonly invalidDates: 'error' | 'null';
}

/** The Arrow schema an extract with these columns produces. */
export function arrowSchema(plans: readonly ColumnPlan[], context: BuildContext): Schema {
  return new Schema(
    plans.map((p) => new Field(p.name, toArrowType(p.dtype), p.nullable || (context.invalidDates === 'null' && isTime(p)))),
  );
}

/** Rows for one batch; `push` until `length === capacity`, then `finish`. */
export class BatchBuilder {
  length = 0;
  readonly #schema: Schema;
  readonly #columns: ColumnBuilder[];
  readonly #validity: Uint8Array[];
  readonly #nulls: number[];

  constructor(schema: Schema, plans: readonly ColumnPlan[], capacity: number, context: BuildContext) {
    this.#schema = schema;
    this.#columns = plans.map((p) => columnBuilder(p, capacity, context));
    // All valid until a null clears a bit; freshly allocated per batch because the batch keeps it.
    this.#validity = plans.map(() => new Uint8Array(bitmapBytes(capacity)).fill(0xff));
    this.#nulls = plans.map(() => 0);
  }

  /** Appends one row (`rowsAsArray`, in plan order). */
  push(row: readonly unknown[]): void {
    const i = this.length;
    const columns = this.#columns;
    for (let c = 0; c < columns.length; c++) {
      const value = row[c];
      if (value === null || !columns[c]!.set(i, value)) {
        this.#validity[c]![i >> 3]! &= ~(1 << (i & 7));
        this.#nulls[c]!++;
      }
    }
    this.length = i + 1;
  }

  /** The batch of the rows pushed so far. The builder must not be used afterwards. */
  finish(): RecordBatch {
    const n = this.length;
    const children = this.#columns.map((column, c) => {
      const nullCount = this.#nulls[c]!;
      return column.finish(n, nullCount > 0 ? this.#validity[c]! : null, nullCount);
    });
    const data = makeData({ type: new Struct(this.#schema.fields), length: n, nullCount: 0, children });
    return new RecordBatch(this.#schema, data);
  }
}

/** Writes one column; `set` returns false when the value must be stored as null. */
interface ColumnBuilder {
  set(row: number, value: unknown): boolean;
  finish(length: number, nullBitmap: Uint8Array | null, nullCount: number): Data;
}

const INT64_MAX = 2n ** 63n - 1n;

/** `makeData` for a fixed-width type whose kind is only known at run time (its overloads need it statically). */
const fixedData = makeData as (props: {
  type: DataType;
  length: number;
  data: ArrayBufferView;
  nullBitmap: Uint8Array | undefined;
  nullCount: number;
}) => Data;

function columnBuilder(plan: ColumnPlan, capacity: number, context: BuildContext): ColumnBuilder {
  const type = toArrowType(plan.dtype);
  const where = `column '${plan.name}' (${plan.sourceType}) of ${context.relation}`;
  const fixed = <A extends Sliceable<A>>(values: A, stride: number, set: ColumnBuilder['set']): ColumnBuilder => ({
    set,
    finish: (length, nullBitmap, nullCount) =>
      fixedData({ type, length, data: exact(values, length * stride, capacity * stride), nullBitmap: nullBitmap ?? undefined, nullCount }),
  });
  const invalidDate = (value: unknown): boolean => {
    if (context.invalidDates === 'null') return false;
    throw new InvalidInputError(
      `${where} holds ${JSON.stringify(value)}, which is not a calendar date; fix the data, filter it out in a query source, ` +
        `or configure the connector with invalidDates: 'null' to read such values as null`,
    );
  };
  switch (plan.read) {
    case 'bool': {
      const bits = new Uint8Array(bitmapBytes(capacity));
      return {
        set: (i, v) => {
          if (v !== 0) bits[i >> 3]! |= 1 << (i & 7);
          return true;
        },
        finish: (length, nullBitmap, nullCount) =>
          fixedData({ type, length, data: bits, nullBitmap: nullBitmap ?? undefined, nullCount }),
      };
    }
    case 'int32': {
      const values = new Int32Array(capacity);
      return fixed(values, 1, (i, v) => ((values[i] = v as number), true));
    }
    case 'float64': {
      const values = new Float64Array(capacity);
      return fixed(values, 1, (i, v) => ((values[i] = v as number), true));
    }
    case 'int64': {
      const values = new BigInt64Array(capacity);
      const put = int64Writer(values);
      return fixed(values, 1, (i, v) => {
        // BIGINT arrives as a decimal string: up to 15 characters it is an exact double, no BigInt needed.
        if (typeof v === 'number') put(i, v);
        else if ((v as string).length <= 15) put(i, +(v as string));
        else values[i] = BigInt(v as string);
        return true;
      });
    }
    case 'uint64': {
      const values = new BigInt64Array(capacity);
      const put = int64Writer(values);
      return fixed(values, 1, (i, v) => {
        if ((v as string).length <= 15) return put(i, +(v as string)), true;
        const n = BigInt(v as string | number);
        if (n > INT64_MAX) {
          throw new InvalidInputError(
            `${where} holds ${n}, above int64's maximum ${INT64_MAX}; asof stores BIGINT UNSIGNED as int64. ` +
              `Select it as CAST(col AS DECIMAL(20,0)) in a query source to read it as a decimal`,
          );
        }
        values[i] = n;
        return true;
      });
    }
    case 'decimal': {
      const scale = (plan.dtype as DecimalDType).scale;
      const words = new Uint32Array(capacity * 4);
      return fixed(words, 4, (i, v) => (writeDecimalString(words, i, v as string, scale), true));
    }
    case 'timestamp-utc':
    case 'timestamp-wall': {
      const values = new BigInt64Array(capacity);
      const put = int64Writer(values);
      const clock = plan.read === 'timestamp-wall' && !context.clock.isUtc ? context.clock : null;
      return fixed(values, 1, (i, v) => {
        const fast = clock ? Infinity : parseWallMicrosNumber(v as string);
        if (Number.isNaN(fast)) return invalidDate(v);
        if (fast !== Infinity) return put(i, fast), true;
        const wall = parseWallMicros(v as string);
        if (wall === null) return invalidDate(v);
        values[i] = clock ? clock.toInstant(wall) : wall;
        return true;
      });
    }
    case 'date': {
      const values = new Int32Array(capacity);
      return fixed(values, 1, (i, v) => {
        const days = parseDays(v as string);
        if (days === null) return invalidDate(v);
        values[i] = days;
        return true;
      });
    }
    case 'string':
    case 'binary':
      return variableWidth(type, capacity, where);
    case 'unsupported':
      throw new InvalidInputError(`${where}: ${plan.unsupported ?? 'unsupported type'}`);
  }
}

/** Utf8/Binary: values appended into one growing buffer with int32 offsets. */
function variableWidth(type: DataType, capacity: number, where: string): ColumnBuilder {
  const offsets = new Int32Array(capacity + 1);
  let bytes = Buffer.allocUnsafe(Math.max(1024, capacity * 8));
  let end = 0;
  let filled = 0;
  const reserve = (extra: number): void => {
    if (end + extra <= bytes.length) return;
    if (end + extra > 0x7fffffff) {
      throw new InvalidInputError(`${where}: one batch holds more than 2 GiB of text or bytes; use a smaller batchSize`);
    }
    const grown = Buffer.allocUnsafe(Math.min(0x7fffffff, Math.max(bytes.length * 2, end + extra)));
    bytes.copy(grown, 0, 0, end);
    bytes = grown;
  };
  return {
    set(i, v) {
      // Rows skipped as null keep the previous end offset (an empty slot).
      while (filled < i) offsets[++filled] = end;
      if (typeof v === 'string') {
        const n = v.length;
        reserve(n * 3);
        // Short ASCII (codes, enums, names) byte by byte: cheaper than a native call per value.
        let k = 0;
        if (n <= 32) {
          for (; k < n; k++) {
            const c = v.charCodeAt(k);
            if (c >= 0x80) break;
            bytes[end + k] = c;
          }
        }
        end += k === n ? n : bytes.write(v, end, 'utf8');
      } else {
        const b = v as Uint8Array;
        reserve(b.length);
        bytes.set(b, end);
        end += b.length;
      }
      offsets[i + 1] = end;
      filled = i + 1;
      return true;
    },
    finish(length, nullBitmap, nullCount) {
      while (filled < length) offsets[++filled] = end;
      return makeData({
        type: type as never,
        length,
        valueOffsets: exact(offsets, length + 1, capacity + 1),
        data: exact(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), end, 2 * end),
        nullBitmap: nullBitmap ?? undefined,
        nullCount,
      });
    },
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes an integer-valued double (|n| < 2^53) into an int64 slot as two
 * 32-bit words, sparing a BigInt allocation per value, the main cost of
 * filling Int64 and Timestamp columns.
 */
function int64Writer(values: BigInt64Array): (i: number, n: number) => void {
  if (!LITTLE_ENDIAN) return (i, n) => void (values[i] = BigInt(n));
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return (i, n) => {
    const high = Math.floor(n / 4294967296);
    words[2 * i] = n - high * 4294967296;
    // Uint32Array stores high modulo 2^32: two's complement for negatives.
    words[2 * i + 1] = high;
  };
}

/** A typed array, as far as {@link exact} needs it. */
type Sliceable<A> = ArrayBufferView & { subarray(a: number, b: number): A; slice(a: number, b: number): A };

/**
 * The first `used` elements of a buffer sized `allocated`: a view when the
 * buffer is mostly used, else a copy, so that a short last batch (or a small
 * table) does not keep a whole batch's worth of memory alive.
 */
function exact<A extends Sliceable<A>>(buffer: A, used: number, allocated: number): A {
  return used * 2 < allocated ? buffer.slice(0, used) : buffer.subarray(0, used);
}

function bitmapBytes(n: number): number {
  // Arrow buffers are padded to 64 bytes.
  return ((n + 511) >> 9) << 6;
}

function isTime(plan: ColumnPlan): boolean {
  return plan.read === 'timestamp-utc' || plan.read === 'timestamp-wall' || plan.read === 'date';
}
