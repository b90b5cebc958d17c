/**
 * What the Debezium decoder produces: one {@link DecodedChange} per message
 * (or a dead letter). Row values are exact JS values of the source's
 * declared dtypes; positions are plain JSON (no bigints) so the engine can
 * commit them as they are.
 */
import type { Decimal } from '@asof/core';

/**
 * A decoded column value, by declared dtype: int32 and float64 `number`,
 * int64 `bigint`, decimal {@link Decimal} (at the declared scale), timestamp
 * `bigint` epoch microseconds (UTC), date `number` days since 1970-01-01,
 * string `string`, bool `boolean`, binary `Uint8Array`.
 */
export type DecodedValue = number | bigint | string | boolean | Decimal | Uint8Array;

/** Column name → value (or null), for the source's declared columns. No prototype: column names are data. */
export type DecodedRow = Readonly<Record<string, DecodedValue | null>>;

/**
 * The `source.snapshot` marker of an event: `false` for the streaming
 * phase; `true`, `first`, `first_in_data_collection`,
 * `last_in_data_collection` and `last` for an initial or blocking snapshot
 * (the first and last record of the whole snapshot and of each table);
 * `incremental` for an incremental snapshot's chunks. Older connectors (and
 * the docs' examples) write booleans, read as `true`/`false`.
 */
export type SnapshotMarker = 'true' | 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | 'false' | 'incremental';

/** Every {@link SnapshotMarker}. */
export const SNAPSHOT_MARKERS: readonly SnapshotMarker[] = Object.freeze([
  'true',
  'first',
  'first_in_data_collection',
  'last_in_data_collection',
  'last',
  'false',
  'incremental',
]);

/** Where the MySQL connector read an event: the envelope's `source` block. */
export interface BinlogPosition {
  /** Binlog file, e.g. `mysql-bin.000003`. */
  readonly file: string;
  /** Byte position of the event in that file. */
  readonly pos: number;
  /** Row within the binlog event (a multi-row statement has several). */
  readonly row: number;
  /** The event's GTID (`server_uuid:n`), `null` without GTIDs. */
  readonly gtid: string | null;
  /** The source server's id, `null` when not given. */
  readonly serverId: number | null;
  /** When the change was made in the database, epoch ms (`source.ts_ms`). */
  readonly tsMs: number;
  /** The same in µs (`source.ts_us`, Debezium 2.6+; MySQL 8 with GTIDs: the commit time to the µs), `null` when absent. */
  readonly tsUs: number | null;
  readonly snapshot: SnapshotMarker;
  /** `source.db` and `source.table` (null for a schema change of a whole database). */
  readonly db: string;
  readonly table: string | null;
}

/** Where a message was read: its topic, and its Kafka partition and offset or its file and line. */
export interface MessagePosition {
  /** The topic; null only for a tombstone from a message file that did not say its topic (and whose key does not tell). */
  readonly topic: string | null;
  /** Kafka partition and offset, when the caller gave them. */
  readonly partition: number | null;
  readonly offset: number | null;
  /** The message file and 1-based line, when read from a file; `next` is the byte offset of the following line (resume there). */
  readonly file: string | null;
  readonly line: number | null;
  readonly next: number | null;
}

/** A change's full position: the message's, and the binlog's for events that carry a `source` block. */
export interface ChangePosition extends MessagePosition {
  readonly binlog: BinlogPosition | null;
}

/** The `transaction` block data events carry when `provide.transaction.metadata` is on. */
export interface TransactionBlock {
  readonly id: string;
  /** The event's position among all events of the transaction (1-based). */
  readonly totalOrder: number;
  /** Its position among the transaction's events for the same table. */
  readonly dataCollectionOrder: number;
}

/**
 * The message header of a primary-key change: the delete of the old key
 * carries `__debezium.newkey`, the create of the new key
 * `__debezium.oldkey`. Informational: the delete and the create apply as
 * any other.
 */
export interface KeyChange {
  readonly header: '__debezium.newkey' | '__debezium.oldkey';
  /** The other key, decoded by the declared dtypes where it could be, else its text. */
  readonly key: DecodedRow | string;
}

interface ChangeBase {
  readonly position: ChangePosition;
}

interface RowChangeBase extends ChangeBase {
  /** The asof source. */
  readonly source: string;
  /** The primary key, by the source's `primaryKey` columns. */
  readonly key: DecodedRow;
  /** The version's time (µs): see the adapter README, "Version time". */
  readonly versionTime: bigint;
  readonly transaction: TransactionBlock | null;
  readonly keyChange: KeyChange | null;
  /** Decimal values read from doubles (`decimal.handling.mode=double`, accepted with `acceptLossyDecimals`). */
  readonly decimalsFromDoubles: number;
}

/** A row version: a create (`c`), update (`u`) or snapshot read (`r`). */
export interface UpsertChange extends RowChangeBase {
  readonly kind: 'upsert';
  readonly op: 'c' | 'u' | 'r';
  /** Every declared column, from `after`. */
  readonly row: DecodedRow;
}

/** A delete (`d`): the row with this key is gone from `versionTime` on. */
export interface DeleteChange extends RowChangeBase {
  readonly kind: 'delete';
  readonly op: 'd';
  /** The version time of the `before` image (the version deleted). */
  readonly beforeVersionTime: bigint;
}

/**
 * A `TRUNCATE` of the source's table (`op: t`): every row is gone. Kept
 * apart from row deletes (it names no key); the engine decides how to
 * apply it. `versionTime` is the source's clock at the event.
 */
export interface TruncateChange extends ChangeBase {
  readonly kind: 'truncate';
  readonly op: 't';
  readonly source: string;
  readonly versionTime: bigint;
  readonly transaction: TransactionBlock | null;
}

/**
 * A tombstone (a null value after a delete, for log compaction). It
 * carries no time and deletes nothing by itself: the delete before it did.
 * `source` is null when a message file did not say which topic it came from.
 */
export interface TombstoneChange extends ChangeBase {
  readonly kind: 'tombstone';
  readonly source: string | null;
  /** The key, decoded by the declared dtypes; null for a tombstone without a key. */
  readonly key: DecodedRow | null;
}

/** A column of a table after a schema change, as the schema change message describes it. */
export interface SchemaColumn {
  readonly name: string;
  /** e.g. `DECIMAL`, `BIGINT UNSIGNED`. */
  readonly typeName: string;
  readonly typeExpression: string | null;
  /** Length or precision, and scale, where the type has them. */
  readonly length: number | null;
  readonly scale: number | null;
  readonly optional: boolean;
}

/** One table's part of a schema change (`tableChanges[]`). */
export interface TableSchemaChange {
  /** `CREATE`, `ALTER` or `DROP`. */
  readonly type: string;
  readonly db: string | null;
  readonly table: string;
  /** The table's name before a rename, when `id` names two tables. */
  readonly renamedFrom: string | null;
  /** The asof source reading this table, if any. */
  readonly source: string | null;
  readonly primaryKey: readonly string[];
  readonly columns: readonly SchemaColumn[];
  /**
   * For a mapped source: what no longer matches its declared columns
   * (`column 'x' was dropped`, `column 'x' is now VARCHAR (string), declared int64`,
   * `table dropped`). Empty when the declared columns still hold.
   */
  readonly drift: readonly string[];
}

/** A message of the schema change topic (`<topic.prefix>`): DDL the connector applied. */
export interface SchemaChange extends ChangeBase {
  readonly kind: 'schema-change';
  readonly databaseName: string | null;
  readonly ddl: string | null;
  readonly tables: readonly TableSchemaChange[];
}

/** A message of the transaction topic: a transaction's `BEGIN` or `END`. */
export interface TransactionMarker extends ChangeBase {
  readonly kind: 'transaction';
  readonly status: 'BEGIN' | 'END';
  readonly id: string;
  readonly tsMs: number;
  /** `END` only: the events the transaction emitted, in all and per table (`db.table`). */
  readonly eventCount: number | null;
  readonly dataCollections: readonly { readonly dataCollection: string; readonly eventCount: number }[] | null;
}

/** A heartbeat (`__debezium-heartbeat.<prefix>`): the connector is alive; no data. */
export interface Heartbeat extends ChangeBase {
  readonly kind: 'heartbeat';
  readonly tsMs: number;
}

/** A data event of a table no source reads, with `unmappedTables: 'ignore'`: counted, not applied. */
export interface IgnoredChange extends ChangeBase {
  readonly kind: 'ignored';
  readonly reason: string;
}

/** Any decoded message, discriminated on `kind`. */
export type DecodedChange =
  | UpsertChange
  | DeleteChange
  | TruncateChange
  | TombstoneChange
  | SchemaChange
  | TransactionMarker
  | Heartbeat
  | IgnoredChange;

/** Every `kind` of {@link DecodedChange}. */
export type ChangeKind = DecodedChange['kind'];

/** Every {@link ChangeKind}, in a stable order for counts. */
export const CHANGE_KINDS: readonly ChangeKind[] = Object.freeze([
  'upsert',
  'delete',
  'truncate',
  'tombstone',
  'schema-change',
  'transaction',
  'heartbeat',
  'ignored',
]);

/** A change that becomes a row version of a source: an upsert or a delete. */
export type RowChange = UpsertChange | DeleteChange;

/** Whether a change is a row version (upsert or delete). */
export function isRowChange(change: DecodedChange): change is RowChange {
  return change.kind === 'upsert' || change.kind === 'delete';
}

/**
 * Whether a change is the last record a snapshot read of its table
 * (`last_in_data_collection`, or `last` for the last table): the table's
 * snapshot is complete up to its binlog position. An empty table has no
 * records and so no marker.
 */
export function endsTableSnapshot(change: DecodedChange): boolean {
  const marker = change.position.binlog?.snapshot;
  return change.kind === 'upsert' && (marker === 'last_in_data_collection' || marker === 'last');
}
