import {
  InvalidInputError,
  readMicrosColumn,
  filterRows,
  isQueryRelation,
  type ExtractOptions,
  type IncrementalOptions,
  type Relation,
  type SourceColumn,
  type SourceConnector,
  type SourceSession,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';

/**
 * A {@link SourceConnector} over Arrow tables held in memory, by table name:
 * the demo's embedded source and the pipeline's unit tests. It honours the
 * same contract as the MySQL connector (watermark bounds, batches), so the
 * pipeline cannot tell them apart. Queries are not supported.
 */
export class TableSourceConnector implements SourceConnector {
  constructor(private readonly tables: Readonly<Record<string, Table>>) {}

  async snapshot<T>(fn: (session: SourceSession) => Promise<T>): Promise<T> {
    // Tables are immutable values, so every read already sees one instant.
    return fn(new TableSession(this.tables));
  }

  async close(): Promise<void> {}
}

class TableSession implements SourceSession {
  constructor(private readonly tables: Readonly<Record<string, Table>>) {}

  async describe(relation: Relation): Promise<SourceColumn[]> {
    return this.table(relation).schema.fields.map((f) => ({ name: f.name, dtype: { kind: 'string' }, nullable: f.nullable, sourceType: String(f.type) }));
  }

  async *extract(relation: Relation, options: ExtractOptions = {}): AsyncIterable<RecordBatch> {
    yield* batches(this.table(relation), options.batchSize);
  }

  async *extractChanges(relation: Relation, options: IncrementalOptions): AsyncIterable<RecordBatch> {
    const table = this.table(relation);
    const { micros, valid } = readMicrosColumn(table, options.watermarkColumn);
    const from = options.since - BigInt(options.overlapMs ?? 0) * 1000n;
    const keep = new Uint8Array(table.numRows);
    for (let i = 0; i < keep.length; i++) {
      keep[i] = (!valid || valid[i]) && micros[i]! > from && (options.until === undefined || micros[i]! <= options.until) ? 1 : 0;
    }
    let offset = 0;
    for (const batch of table.batches) {
      const kept = filterRows(batch, keep.subarray(offset, offset + batch.numRows));
      offset += batch.numRows;
      if (kept.numRows > 0) yield* batches(kept, options.batchSize);
    }
  }

  private table(relation: Relation): Table {
    if (isQueryRelation(relation)) throw new InvalidInputError('the in-memory source reads tables only, not SQL queries');
    const table = this.tables[relation.table];
    if (!table) throw new InvalidInputError(`no table '${relation.table}' in the in-memory source; it has ${Object.keys(this.tables).join(', ')}`);
    return table;
  }
}

function* batches(source: Table | RecordBatch, size = 50_000): Iterable<RecordBatch> {
  const list = 'batches' in source ? source.batches : [source];
  for (const batch of list) {
    for (let offset = 0; offset < batch.numRows; offset += size) yield batch.slice(offset, offset + size);
  }
}
