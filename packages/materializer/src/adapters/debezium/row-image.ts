/**
 * A row image (`before` or `after`, or a message key) to the declared
 * columns of a source, exactly. Columns the image has and the source does
 * not declare are ignored (a new column is fine); a declared column the
 * image lacks is a `schema-mismatch`, as a dropped column is for a batch
 * extract.
 */
import type { DecodedRow, DecodedValue } from './changes.js';
import { decodeColumn, type ValueTally } from './column-values.js';
import { fieldOf, memberOf, type FieldSchema } from './connect-schema.js';
import { undecodable } from './dead-letter.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-parse.js';
import type { MappedSource, ResolvedOptions } from './options.js';

/** Decodes the columns `indexes` of `source` (all of them by default) from an image. */
export function decodeImage(
  image: JsonObject,
  fields: ReadonlyMap<string, FieldSchema> | null,
  source: MappedSource,
  options: ResolvedOptions,
  tally: ValueTally,
  imageName: string,
  indexes?: readonly number[],
): (DecodedValue | null)[] {
  const n = source.columns.length;
  const values = new Array<DecodedValue | null>(n).fill(null);
  const decode = (i: number): void => {
    const column = source.columns[i]!;
    const raw = memberOf(image, column);
    if (raw === undefined) {
      undecodable(
        'schema-mismatch',
        `column '${column}' of source '${source.name}' is missing from the message's ${imageName}; if it was dropped or renamed, ` +
          "update the source's columns (and the features that use it), then run `asof apply` (a partial row image, " +
          'binlog_row_image other than FULL, also lacks columns: Debezium needs FULL)',
      );
    }
    values[i] = decodeColumn(raw, fieldOf(fields, column), source.targets[i]!, options, tally);
  };
  if (indexes) for (const i of indexes) decode(i);
  else for (let i = 0; i < n; i++) decode(i);
  return values;
}

/** The named columns of a decoded image as a row (no prototype: column names are data). */
export function rowOf(source: MappedSource, values: readonly (DecodedValue | null)[], indexes?: readonly number[]): DecodedRow {
  const row = Object.create(null) as Record<string, DecodedValue | null>;
  if (indexes) for (const i of indexes) row[source.columns[i]!] = values[i]!;
  else for (let i = 0; i < source.columns.length; i++) row[source.columns[i]!] = values[i]!;
  return row;
}

/** Checks that the primary key has no null, naming the image. */
export function requireKey(source: MappedSource, values: readonly (DecodedValue | null)[], imageName: string): void {
  for (const i of source.keyIndexes) {
    if (values[i] === null) {
      undecodable('missing-key', `primary-key column '${source.columns[i]}' of source '${source.name}' is null in the message's ${imageName}`);
    }
  }
}

/** The version time of an image, which must not be null. */
export function requireVersionTime(source: MappedSource, values: readonly (DecodedValue | null)[], imageName: string): bigint {
  const value = values[source.versionIndex];
  if (value === null || value === undefined) {
    undecodable(
      'missing-version-time',
      `version-time column '${source.columns[source.versionIndex]}' of source '${source.name}' is null in the message's ${imageName}; ` +
        'a row version needs its time',
    );
  }
  return value as bigint;
}

/** An image member that must be an object (`after` of a create, `before` of a delete). */
export function requireImage(payload: JsonObject, name: 'before' | 'after', op: string): JsonObject {
  const image: JsonValue | undefined = payload[name];
  if (!isJsonObject(image)) undecodable('bad-envelope', `an op '${op}' event needs "${name}", but it is ${image === undefined ? 'missing' : 'not an object'}`);
  return image;
}
