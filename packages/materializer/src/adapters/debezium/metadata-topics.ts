/**
 * The connector's metadata topics: transaction boundaries
 * (`<prefix>.transaction`: `{"status":"BEGIN"|"END","id":…,"ts_ms":…,
 * "event_count":…,"data_collections":[{"data_collection":"db.table",
 * "event_count":n}]}`, count and collections on END only) and heartbeats
 * (`__debezium-heartbeat.<prefix>`: `{"ts_ms":…}`).
 */
import type { ChangePosition, Heartbeat, TransactionMarker } from './changes.js';
import { undecodable } from './dead-letter.js';
import { describe } from './envelope-metadata.js';
import { isJsonObject, type JsonObject } from './json-parse.js';
import { metadataInteger } from './number-values.js';

/** A transaction topic message. */
export function readTransactionMarker(payload: JsonObject, position: ChangePosition): TransactionMarker {
  const status = payload.status;
  if (status !== 'BEGIN' && status !== 'END') undecodable('bad-envelope', `transaction status ${describe(status)} is not BEGIN or END`);
  if (typeof payload.id !== 'string') undecodable('bad-envelope', 'a transaction message has no id');
  const tsMs = metadataInteger(payload.ts_ms);
  if (tsMs === null) undecodable('bad-envelope', `transaction ts_ms ${describe(payload.ts_ms)} is not epoch milliseconds`);
  const eventCount = metadataInteger(payload.event_count);
  if (eventCount === null && payload.event_count !== undefined && payload.event_count !== null) {
    undecodable('bad-envelope', `transaction event_count ${describe(payload.event_count)} is not a count`);
  }
  let dataCollections: TransactionMarker['dataCollections'] = null;
  if (payload.data_collections !== undefined && payload.data_collections !== null) {
    if (!Array.isArray(payload.data_collections)) undecodable('bad-envelope', 'transaction data_collections is not an array');
    dataCollections = payload.data_collections.map((entry) => {
      const count = isJsonObject(entry) ? metadataInteger(entry.event_count) : null;
      if (!isJsonObject(entry) || typeof entry.data_collection !== 'string' || count === null) {
        undecodable('bad-envelope', 'a transaction data_collections entry lacks data_collection or event_count');
      }
      return { dataCollection: entry.data_collection, eventCount: count };
    });
  }
  return { kind: 'transaction', status, id: payload.id, tsMs, eventCount, dataCollections, position };
}

/** A heartbeat message. */
export function readHeartbeat(payload: JsonObject, position: ChangePosition): Heartbeat {
  const tsMs = metadataInteger(payload.ts_ms);
  if (tsMs === null) undecodable('bad-envelope', `heartbeat ts_ms ${describe(payload.ts_ms)} is not epoch milliseconds`);
  return { kind: 'heartbeat', tsMs, position };
}
