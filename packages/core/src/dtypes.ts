import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  TimeUnit,
  Timestamp,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { Decimal as DecimalValue } from './decimal.js';
import { DefinitionError } from './errors.js';

/**
 * A feature's data type. `T` is the JavaScript type of a non-null value, so
 * row types can be inferred from definitions (drizzle-style). The runtime
 * part is plain data: it serialises to JSON for the registry.
 */
export interface DType<T = unknown> {
  readonly kind: DTypeKind;
  /** Phantom: never set at runtime, only carries `T`. */
  readonly __js?: T;
}

/** Every kind of {@link DType}. */
export type DTypeKind =
  | 'int32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'string'
  | 'timestamp'
  | 'date'
  | 'binary'
  | 'decimal'
  | 'list';

/** A decimal with fixed precision and scale; JS values are exact {@link DecimalValue | Decimal}s. */
export interface DecimalDType extends DType<DecimalValue> {
  readonly kind: 'decimal';
  readonly precision: number;
  readonly scale: number;
}

/** A list of values of one type. */
export interface ListDType<T> extends DType<T[]> {
  readonly kind: 'list';
  readonly item: DType<T>;
}

/** The JavaScript type of a non-null value of a dtype. */
export type JsTypeOf<D> = D extends DType<infer T> ? T : never;

const scalar = <T>(kind: DTypeKind): DType<T> => Object.freeze({ kind }) as DType<T>;

/** 32-bit signed integer; `number` in JS. */
export const int32 = (): DType<number> => scalar('int32');
/** 64-bit signed integer; `bigint` in JS, so no precision is lost. */
export const int64 = (): DType<bigint> => scalar('int64');
/** IEEE double; `number` in JS. */
export const float64 = (): DType<number> => scalar('float64');
/** Boolean. */
export const bool = (): DType<boolean> => scalar('bool');
/** UTF-8 string. */
export const string = (): DType<string> => scalar('string');
/** UTC instant with microsecond precision; `Date` in JS rows. */
export const timestamp = (): DType<Date> => scalar('timestamp');
/**
 * A calendar date with no time and no zone (SQL `DATE`), stored as Arrow
 * `Date(DAY)`. JS values are `'YYYY-MM-DD'` strings: a `Date` would imply an
 * instant and so a time zone the value does not have.
 */
export const date = (): DType<string> => scalar('date');
/** Raw bytes (SQL `BLOB`/`BINARY`); `Uint8Array` in JS. */
export const binary = (): DType<Uint8Array> => scalar('binary');

/**
 * Exact decimal (Arrow Decimal128, Parquet DECIMAL); JS values are
 * {@link DecimalValue | Decimal}s (decimal strings, numbers and bigints are
 * accepted as input).
 */
export function decimal(precision: number, scale: number): DecimalDType {
  if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
    throw new DefinitionError(`decimal precision must be 1..38, got ${precision}`);
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new DefinitionError(`decimal scale must be 0..precision (${precision}), got ${scale}`);
  }
  return Object.freeze({ kind: 'decimal', precision, scale }) as DecimalDType;
}

/** A list of `item` values (e.g. `list(string())` for a set of SKU names). */
export function list<T>(item: DType<T>): ListDType<T> {
  return Object.freeze({ kind: 'list', item }) as ListDType<T>;
}

/** The Arrow type asof stores a dtype as. */
export function toArrowType(dtype: DType): DataType {
  switch (dtype.kind) {
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'string':
      return new Utf8();
    case 'timestamp':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'date':
      return new DateDay();
    case 'binary':
      return new Binary();
    case 'decimal': {
      const d = dtype as DecimalDType;
      return new Decimal(d.scale, d.precision, 128);
    }
    case 'list':
      return new List(new Field('item', toArrowType((dtype as ListDType<unknown>).item), true));
  }
}

/** A JSON-safe description of a dtype, for the registry. */
export function dtypeToJson(dtype: DType): Record<string, unknown> {
  switch (dtype.kind) {
    case 'decimal': {
      const d = dtype as DecimalDType;
      return { kind: 'decimal', precision: d.precision, scale: d.scale };
    }
    case 'list':
      return { kind: 'list', item: dtypeToJson((dtype as ListDType<unknown>).item) };
    default:
      return { kind: dtype.kind };
  }
}

/** Rebuilds a dtype from {@link dtypeToJson} output. */
export function dtypeFromJson(json: unknown): DType {
  const j = json as { kind?: string; precision?: number; scale?: number; item?: unknown };
  switch (j?.kind) {
    case 'int32':
    case 'int64':
    case 'float64':
    case 'bool':
    case 'string':
    case 'timestamp':
    case 'date':
    case 'binary':
      return scalar(j.kind);
    case 'decimal':
      return decimal(j.precision ?? NaN, j.scale ?? NaN);
    case 'list':
      return list(dtypeFromJson(j.item));
    default:
      throw new DefinitionError(`unknown dtype ${JSON.stringify(json)}`);
  }
}

/** Whether a value is a dtype (used to validate untyped JS input). */
export function isDType(value: unknown): value is DType {
  return typeof value === 'object' && value !== null && typeof (value as DType).kind === 'string';
}
