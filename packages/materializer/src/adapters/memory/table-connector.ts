import { createHash } from 'node:crypto';
import {
  describeRelation,
  InvalidInputError,
  readMicrosColumn,
  isQueryRelation,
  takeTable,
  type ExtractOptions,
  type IncrementalOptions,
  type Relation,
  type SourceColumn,
  type SourceConnector,
  type SourceIdentity,
  type SourceIdentityOptions,
  type SourceSession,
  type SourceSnapshotOptions,
  type TimeInput,
  toEpochMicros,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';
import { checkSchema } from '../../sources/check-schema.js';
import { dtypeOfArrow } from './arrow-dtype.js';

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
 * the demo's embedded source and the engine's tests. It passes the same
 * source contract suite as the MySQL connector (a snapshot sees the tables
 * as they were when it began, batches, watermark bounds and order, schema
 * drift, abort, identity, its `asOf` as the snapshot time), so the engine
 * cannot tell them apart. Queries are not supported.
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

  async snapshot<T>(fn: (session: SourceSession) => Promise<T>, options: SourceSnapshotOptions = {}): Promise<T> {
    options.signal?.throwIfAborted();
    // The tables as they are now: a caller that swaps one in later (another writer) is not seen by this snapshot.
    return fn(new TableSession({ ...this.tables }, this.#asOf, options.signal));
  }

  async close(): Promise<void> {}
}

class TableSession implements SourceSession {
  constructor(
    private readonly tables: Readonly<Record<string, Table>>,
    private readonly asOf: bigint | null,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** The connector's `asOf`, or `null` when it was given none. */
  async snapshotTime(): Promise<bigint | null> {
    return this.asOf;
  }

  async describe(relation: Relation): Promise<SourceColumn[]> {
    return describeTable(this.table(relation));
  }

  async *extract(relation: Relation, options: ExtractOptions = {}): AsyncIterable<RecordBatch> {
    const table = this.checked(relation, options);
    yield* this.batches(table.batches, options);
  }

  async *extractChanges(relation: Relation, options: IncrementalOptions): AsyncIterable<RecordBatch> {
    const table = this.checked(relation, options);
    const { micros, valid } = readMicrosColumn(table, options.watermarkColumn);
    const from = options.since - BigInt(Math.round((options.overlapMs ?? 0) * 1000));
    const take: number[] = [];
    for (let i = 0; i < micros.length; i++) {
      if ((!valid || valid[i]) && micros[i]! > from && (options.until === undefined || micros[i]! <= options.until)) take.push(i);
    }
    // Ordered by the watermark, as the contract says (stable: equal values keep table order).
    take.sort((a, b) => (micros[a]! < micros[b]! ? -1 : micros[a]! > micros[b]! ? 1 : a - b));
    if (take.length > 0) yield* this.batches(takeTable(table, Int32Array.from(take)).batches, options);
  }

  /** The table, checked against `expectedColumns` and projected to `columns`, before any row is read. */
  private checked(relation: Relation, options: ExtractOptions): Table {
    const table = this.table(relation);
    const where = describeRelation(relation);
    if (options.expectedColumns) checkSchema(options.expectedColumns, describeTable(table), where);
    if (!options.columns) return table;
    if (options.columns.length === 0) throw new InvalidInputError(`${where}: columns is empty; leave it out to read every column`);
    for (const name of options.columns) {
      if (!table.getChild(name)) throw new InvalidInputError(`${where} has no column '${name}'; it has ${table.schema.fields.map((f) => f.name).join(', ')}`);
    }
    return table.select(options.columns as string[]);
  }

  private *batches(list: readonly RecordBatch[], options: ExtractOptions): Iterable<RecordBatch> {
    const size = options.batchSize ?? 50_000;
    for (const batch of list) {
      for (let offset = 0; offset < batch.numRows; offset += size) {
        this.signal?.throwIfAborted();
        options.signal?.throwIfAborted();
        yield batch.slice(offset, offset + size);
      }
    }
  }

  private table(relation: Relation): Table {
    if (isQueryRelation(relation)) throw new InvalidInputError('the in-memory source reads tables only, not SQL queries');
    const table = this.tables[relation.table];
    if (!table) throw new InvalidInputError(`no table '${relation.table}' in the in-memory source; it has ${Object.keys(this.tables).join(', ')}`);
    return table;
  }
}

/** The columns of a table with the dtypes its Arrow types hold. */
function describeTable(table: Table): SourceColumn[] {
  return table.schema.fields.map((f) => ({ name: f.name, dtype: dtypeOfArrow(f.type), nullable: f.nullable, sourceType: String(f.type) }));
}

/** A short hash of the column names and types: changes when a table is replaced by one of another shape. */
function schemaFingerprint(table: Table): string {
  const shape = table.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join('\n');
  return `schema:${createHash('sha256').update(shape).digest('hex').slice(0, 16)}`;
}

