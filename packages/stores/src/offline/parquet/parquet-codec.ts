import { DataType, RecordBatch, Table, tableToIPC, type Schema } from 'apache-arrow';
import { parseRecordBatch } from 'arrow-js-ffi';
import * as wasm from 'parquet-wasm';
import { StoreReadError } from '@asof/core';

/** Parquet writer settings; the defaults are tuned for write speed with good compression. */
export interface ParquetWriteOptions {
  /** Rows per row group (default 1,048,576; a file never holds more than the writer's `flushBytes` of Arrow data, so neither does a row group). Readers hold one row group in memory at a time. */
  readonly rowGroupRows?: number;
  /** Default `snappy`: fastest to write and read here; `zstd` (level 1) makes files about 2.5x smaller and reads about half as fast. */
  readonly compression?: 'zstd' | 'snappy' | 'lz4_raw' | 'uncompressed';
}

const COMPRESSION = {
  zstd: wasm.Compression.ZSTD,
  snappy: wasm.Compression.SNAPPY,
  lz4_raw: wasm.Compression.LZ4_RAW,
  uncompressed: wasm.Compression.UNCOMPRESSED,
} as const;

/**
 * Encodes batches (which must share `schema`) as one Parquet file. Arrow
 * goes into WebAssembly as an IPC stream. Tuned per column: integers and
 * timestamps use DELTA_BINARY_PACKED without a dictionary (times and ids
 * are high-cardinality: dictionaries cost time and gain nothing), floats
 * PLAIN, strings keep dictionary encoding. Statistics per column chunk;
 * V1 data pages, which every engine (Athena, Trino, DuckDB, Spark) reads.
 */
export function encodeParquet(schema: Schema, batches: readonly RecordBatch[], options: ParquetWriteOptions = {}): Uint8Array {
  const ipc = tableToIPC(new Table(schema, batches as RecordBatch[]), 'stream');
  const table = wasm.Table.fromIPCStream(ipc);
  let props = new wasm.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[options.compression ?? 'snappy'])
    .setMaxRowGroupSize(options.rowGroupRows ?? 1_048_576)
    .setStatisticsEnabled(wasm.EnabledStatistics.Chunk)
    .setWriterVersion(wasm.WriterVersion.V1)
    .setCreatedBy('asof (parquet-wasm)');
  for (const field of schema.fields) {
    const type = field.type as DataType;
    if (DataType.isInt(type) || DataType.isTimestamp(type) || DataType.isDate(type)) {
      props = props.setColumnDictionaryEnabled(field.name, false).setColumnEncoding(field.name, wasm.Encoding.DELTA_BINARY_PACKED);
    } else if (DataType.isFloat(type) || DataType.isDecimal(type)) {
      props = props.setColumnDictionaryEnabled(field.name, false);
    }
  }
  return wasm.writeParquet(table, props.build());
}

/** What a Parquet footer says about a file. */
export interface ParquetLayout {
  readonly rows: number;
  readonly rowGroupRows: readonly number[];
}

/** Options of {@link decodeParquet}. */
export interface ParquetReadOptions {
  /** Top-level columns to read (default: all). */
  readonly columns?: readonly string[];
  /** Names among `columns` a file may lack (written before they existed): read where present, left out where not. */
  readonly optionalColumns?: readonly string[];
  readonly signal?: AbortSignal;
  /** Where the bytes came from, for messages. */
  readonly source?: string;
}

/**
 * Streams a Parquet file as Arrow record batches, one row group at a time
 * (one batch per row group), copying columns straight out of WebAssembly
 * memory instead of through IPC. WebAssembly memory holds one row group at a
 * time, so it stays bounded by the largest row group.
 */
export async function* decodeParquet(bytes: Uint8Array, options: ParquetReadOptions = {}): AsyncIterable<RecordBatch> {
  const file = await openParquet(bytes, options.source);
  try {
    const meta = file.metadata();
    const groups = meta.numRowGroups();
    const rowGroupRows = Array.from({ length: groups }, (_, g) => meta.rowGroup(g).numRows());
    meta.free();
    const columns = options.columns && options.optionalColumns?.length ? presentColumns(file, options.columns, options.optionalColumns) : options.columns;
    for (let g = 0; g < groups; g++) {
      options.signal?.throwIfAborted();
      const rows = rowGroupRows[g]!;
      if (rows === 0) continue;
      const table = await file.read({
        rowGroups: [g],
        batchSize: rows,
        ...(columns ? { columns: [...columns] } : {}),
      });
      try {
        for (const batch of table.recordBatches()) yield copyOut(batch);
      } finally {
        table.free();
      }
    }
  } finally {
    file.free();
  }
}

/** The row counts of a file, from its footer. */
export async function parquetLayout(bytes: Uint8Array, source?: string): Promise<ParquetLayout> {
  const file = await openParquet(bytes, source);
  try {
    const meta = file.metadata();
    const rowGroupRows = Array.from({ length: meta.numRowGroups() }, (_, g) => meta.rowGroup(g).numRows());
    meta.free();
    return { rows: rowGroupRows.reduce((a, b) => a + b, 0), rowGroupRows };
  } finally {
    file.free();
  }
}

/** `columns` without the optional ones the file does not have. */
function presentColumns(file: wasm.ParquetFile, columns: readonly string[], optional: readonly string[]): string[] {
  const schema = file.schema();
  try {
    return columns.filter((name) => {
      if (!optional.includes(name)) return true;
      try {
        return schema.indexOf(name) >= 0;
      } catch {
        return false; // parquet-wasm throws for a name the schema lacks
      }
    });
  } finally {
    schema.free();
  }
}

async function openParquet(bytes: Uint8Array, source = 'a Parquet file'): Promise<wasm.ParquetFile> {
  try {
    return await wasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch (error) {
    throw new StoreReadError(`cannot read ${source} as Parquet: ${String((error as Error)?.message ?? error)}`, { cause: error });
  }
}

function copyOut(batch: wasm.RecordBatch): RecordBatch {
  const ffi = batch.intoFFI();
  try {
    // Read the memory buffer only now: a read may have grown (and so replaced) it.
    return parseRecordBatch(wasm.wasmMemory().buffer, ffi.arrayAddr(), ffi.schemaAddr(), true);
  } finally {
    ffi.free();
  }
}
