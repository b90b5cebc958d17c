import { createHash } from 'node:crypto';
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
  type SourceIdentity,
  type SourceIdentityOptions,
  type SourceSession,
  type TimeInput,
  toEpochMicros,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';

/** Options of a {@link TableSourceConnector}. */
export interface TableSourceOptions {
  /**
   * Names the source in its identity (default `memory`): connectors given
   * the same name and tables with the same schemas are the same source, so
   * a root fed successive states of one history (the demo) accepts each.
   */
  readonly name?: string;
  /**
   * The instant the tables show (the source's clock): a full extract
   * infers that a key its mirror holds and the tables lack was deleted by
   * then. Without it the source vouches for no instant, and no delete is
   * inferred (successive states of a history that only grows, as the
   * demo's, need none).
   */
  readonly asOf?: TimeInput;
}

/**
 * A {@link SourceConnector} over Arrow tables held in memory, by table name:
 * the demo's embedded source and the pipeline's unit tests. It honours the
 * same contract as the MySQL connector (watermark bounds, batches), so the
 * pipeline cannot tell them apart. Queries are not supported.
 */
export class TableSourceConnector implements SourceConnector {
  readonly #name: string;
  readonly #asOf: bigint | null;

  constructor(
    private readonly tables: Readonly<Record<string, Table>>,
    options: TableSourceOptions = {},
  ) {
    const name = options.name ?? 'memory';
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidInputError(`the in-memory source's name must be a non-empty string, got ${JSON.stringify(name)}`);
    this.#name = name;
    this.#asOf = options.asOf === undefined ? null : toEpochMicros(options.asOf);
  }

  /** Kind `memory`, the connector's name as the database, and a fingerprint of each named table's schema as its stamp. */
  async identity(options: SourceIdentityOptions = {}): Promise<SourceIdentity> {
    const tables: Record<string, string | null> = {};
    for (const relation of options.relations ?? []) {
      if (isQueryRelation(relation)) continue;
      const database = relation.schema ?? this.#name;
      const table = database === this.#name ? this.tables[relation.table] : undefined;
      tables[`${database}.${relation.table}`] = table ? schemaFingerprint(table) : null;
    }
    const sorted = Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { kind: 'memory', database: this.#name, server: {}, address: 'in-memory', tables: sorted };
  }

  async snapshot<T>(fn: (session: SourceSession) => Promise<T>): Promise<T> {
    // Tables are immutable values, so every read already sees one instant.
    return fn(new TableSession(this.tables, this.#asOf));
  }

  async close(): Promise<void> {}
}

class TableSession implements SourceSession {
  constructor(
    private readonly tables: Readonly<Record<string, Table>>,
    private readonly asOf: bigint | null,
  ) {}

  /** The connector's `asOf`, or `null` when it was given none. */
  async snapshotTime(): Promise<bigint | null> {
    return this.asOf;
  }

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

/** A short hash of the column names and types: changes when a table is replaced by one of another shape. */
function schemaFingerprint(table: Table): string {
  const shape = table.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join('\n');
  return `schema:${createHash('sha256').update(shape).digest('hex').slice(0, 16)}`;
}

function* batches(source: Table | RecordBatch, size = 50_000): Iterable<RecordBatch> {
  const list = 'batches' in source ? source.batches : [source];
  for (const batch of list) {
    for (let offset = 0; offset < batch.numRows; offset += size) yield batch.slice(offset, offset + size);
  }
}
