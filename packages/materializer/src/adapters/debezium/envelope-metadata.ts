/**
 * The metadata blocks of a data event's envelope: `source` (where and when
 * the connector read the change: `io.debezium.connector.mysql.Source`) and
 * `transaction` (with `provide.transaction.metadata=true`).
 */
import { SNAPSHOT_MARKERS, type BinlogPosition, type SnapshotMarker, type TransactionBlock } from './changes.js';
import { undecodable } from './dead-letter.js';
import { isJsonObject, type JsonValue } from './json-parse.js';
import { metadataInteger } from './number-values.js';

/** Reads the `source` block; a missing or mistyped required field is a `bad-envelope`. */
export function readSourceBlock(raw: JsonValue | undefined): BinlogPosition {
  if (!isJsonObject(raw)) return undecodable('bad-envelope', 'the envelope has no "source" block');
  const file = raw.file;
  if (typeof file !== 'string') undecodable('bad-envelope', 'source.file (the binlog file) is missing');
  const pos = metadataInteger(raw.pos);
  if (pos === null || pos < 0) undecodable('bad-envelope', `source.pos ${describe(raw.pos)} is not a binlog position`);
  const tsMs = metadataInteger(raw.ts_ms);
  if (tsMs === null) undecodable('bad-envelope', `source.ts_ms ${describe(raw.ts_ms)} is not epoch milliseconds`);
  const tsUs = raw.ts_us === undefined || raw.ts_us === null ? null : metadataInteger(raw.ts_us);
  if (tsUs === null && raw.ts_us !== undefined && raw.ts_us !== null) undecodable('bad-envelope', `source.ts_us ${describe(raw.ts_us)} is not epoch microseconds`);
  const db = raw.db;
  if (typeof db !== 'string') undecodable('bad-envelope', 'source.db is missing');
  const table = raw.table === undefined || raw.table === null ? null : raw.table;
  if (table !== null && typeof table !== 'string') undecodable('bad-envelope', 'source.table is not a string');
  const gtid = raw.gtid === undefined || raw.gtid === null ? null : raw.gtid;
  if (gtid !== null && typeof gtid !== 'string') undecodable('bad-envelope', 'source.gtid is not a string');
  return {
    file,
    pos,
    row: metadataInteger(raw.row) ?? 0,
    gtid,
    serverId: metadataInteger(raw.server_id),
    tsMs,
    tsUs,
    snapshot: snapshotMarker(raw.snapshot),
    db,
    table,
  };
}

/**
 * `source.snapshot`: a string of the `io.debezium.data.Enum` the connector
 * declares (absent or null means its default, `false`), or a boolean as in
 * older connectors. Anything else is a `bad-envelope`.
 */
export function snapshotMarker(raw: JsonValue | undefined): SnapshotMarker {
  if (raw === undefined || raw === null || raw === false) return 'false';
  if (raw === true) return 'true';
  if (typeof raw === 'string' && (SNAPSHOT_MARKERS as readonly string[]).includes(raw)) return raw as SnapshotMarker;
  return undecodable('bad-envelope', `source.snapshot ${describe(raw)} is not one of ${SNAPSHOT_MARKERS.join(', ')}`);
}

/** Reads a data event's `transaction` block; null when absent. */
export function readTransactionBlock(raw: JsonValue | undefined): TransactionBlock | null {
  if (raw === undefined || raw === null) return null;
  if (!isJsonObject(raw) || typeof raw.id !== 'string') return undecodable('bad-envelope', 'the "transaction" block has no id');
  const totalOrder = metadataInteger(raw.total_order);
  const dataCollectionOrder = metadataInteger(raw.data_collection_order);
  if (totalOrder === null || dataCollectionOrder === null) undecodable('bad-envelope', 'the "transaction" block lacks total_order or data_collection_order');
  return { id: raw.id, totalOrder, dataCollectionOrder };
}

/** A value for a message: JSON text, cut short. */
export function describe(raw: JsonValue | undefined): string {
  if (raw === undefined) return '(missing)';
  // Parsed objects have no prototype, so String() would throw on them.
  const text = typeof raw === 'string' ? JSON.stringify(raw) : Array.isArray(raw) ? 'an array' : isJsonObject(raw) ? 'an object' : String(raw);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
