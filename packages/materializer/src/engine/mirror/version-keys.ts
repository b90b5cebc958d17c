import { conformBatch, nullableSchema, selectColumns } from '@asof/core';
import { Schema, Table, type RecordBatch } from 'apache-arrow';
import { DELETED_FIELD } from './mirror-read.js';

/**
 * The primary key, version time (`event_ts`) and delete flag of row
 * versions, kept column by column in one schema: the input from which a
 * snapshot read finds the keys it lacks.
 */
export class VersionKeys {
  readonly #batches: RecordBatch[] = [];
  #schema: Schema | null = null;

  constructor(private readonly pk: readonly string[]) {}

  /** Keeps those columns of `batch` (mirror rows; a missing flag reads as not deleted). */
  add(batch: RecordBatch): void {
    if (batch.numRows === 0) return;
    const names = [...this.pk, 'event_ts', DELETED_FIELD.name];
    const own = new Schema(names.map((n) => batch.schema.fields.find((f) => f.name === n) ?? DELETED_FIELD));
    const picked = own.fields.every((f) => batch.getChild(f.name)) ? selectColumns(batch, own) : conformBatch(batch, own, 'row versions');
    this.#schema ??= nullableSchema(own);
    this.#batches.push(conformBatch(picked, this.#schema, 'row versions'));
  }

  /** Everything kept by `parts`, in order, as one table in the first part's schema; `null` when nothing was. */
  static table(...parts: readonly VersionKeys[]): Table | null {
    const first = parts.find((p) => p.#schema !== null);
    const schema = first ? first.#schema : null;
    if (!schema) return null;
    return new Table(parts.flatMap((p) => p.#batches.map((b) => conformBatch(b, schema, 'row versions'))));
  }
}
