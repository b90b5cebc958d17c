/**
 * Debezium MySQL change events (JSON converter, with or without schemas)
 * decoded into asof row versions, deletes and the rest; dead letters; a
 * message-file source. No client library: the messages come from any
 * Kafka consumer, or from a file. See README.md here.
 */
export { DebeziumDecoder, createDebeziumDecoder, type DecodeOutcome } from './decoder.js';
export type { DebeziumDecoderOptions, EpochUnit } from './options.js';
export type { DebeziumMessage, MessagePart } from './message.js';
export {
  CHANGE_KINDS,
  SNAPSHOT_MARKERS,
  endsTableSnapshot,
  isRowChange,
  type BinlogPosition,
  type ChangeKind,
  type ChangePosition,
  type DecodedChange,
  type DecodedRow,
  type DecodedValue,
  type DeleteChange,
  type Heartbeat,
  type IgnoredChange,
  type KeyChange,
  type MessagePosition,
  type RowChange,
  type SchemaChange,
  type SchemaColumn,
  type SnapshotMarker,
  type TableSchemaChange,
  type TombstoneChange,
  type TransactionBlock,
  type TransactionMarker,
  type TruncateChange,
  type UpsertChange,
} from './changes.js';
export { DEAD_LETTER_REASONS, MemoryDeadLetterSink, type DeadLetter, type DeadLetterReason, type DeadLetterSink } from './dead-letter.js';
export { FileDeadLetterSink } from './dead-letter-file.js';
export { DecodeTally, describeCounts, type DecodeCounts } from './counts.js';
export { decodeBatch, type DecodedBatch } from './decode-batch.js';
export { rowVersionBatch, rowVersionSchema } from './row-batch.js';
export { groupChanges, type ChangePart, type GroupedChanges } from './group-changes.js';
export { readDebeziumFile, lineResume, DebeziumFileReader, type DebeziumFileOptions } from './file-source.js';
export type { LineResume } from './file-lines.js';
export { writeDebeziumFile, type FileMessage, type WriteDebeziumFileOptions } from './file-writer.js';
export { parseJson, JsonNumber, type JsonValue, type JsonObject } from './json-parse.js';
