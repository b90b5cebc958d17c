/**
 * Writes a TRS state as CSV files (`<dir>/<table>.csv`), the source of the
 * demo path that runs without MariaDB. The format is RFC 4180: a header
 * row, CRLF line ends, a field quoted when it holds `"`, `,`, CR or LF (a
 * quote doubled inside). Values are exact: Int64 as integers, Decimal128 as
 * decimal text with its scale (`1234.50`), timestamps as ISO-8601 UTC with
 * microseconds and `Z` (`2024-03-01T00:00:00.000000Z`). NULL is an empty
 * unquoted field; an empty string is `""`, so the two stay distinct.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMicros } from '@asof/core';
import { DataType, TimeUnit, type Data, type Table } from 'apache-arrow';
import { TRS_TABLES, type TrsTableName } from './arrow-schema.js';
import type { TrsState } from './state-at.js';

/** One file written. */
export interface WrittenCsv {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/** Writes the four tables of `state` to `dir` (created if missing), overwriting files of the same names. */
export async function writeTrsFiles(state: TrsState, dir: string): Promise<Record<TrsTableName, WrittenCsv>> {
  await mkdir(dir, { recursive: true });
  const written = {} as Record<TrsTableName, WrittenCsv>;
  for (const name of TRS_TABLES) written[name] = await writeCsvFile(state.tables[name], join(dir, `${name}.csv`));
  return written;
}

/** Bytes buffered before a write. */
const CHUNK_BYTES = 1 << 20;

/** Writes one Arrow table as an RFC 4180 CSV file (see the module comment). */
export async function writeCsvFile(table: Table, path: string): Promise<WrittenCsv> {
  const file = await open(path, 'w');
  let bytes = 0;
  try {
    // Lines go straight into one reused buffer: no large concatenated strings for the GC.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    for (const line of csvLines(table)) {
      if (used + line.length * 3 + 2 > CHUNK_BYTES) {
        bytes += (await file.write(buffer, 0, used)).bytesWritten;
        used = 0;
      }
      if (line.length * 3 + 2 > CHUNK_BYTES) {
        bytes += (await file.write(line + '\r\n')).bytesWritten;
        continue;
      }
      used += buffer.write(line, used);
      buffer[used++] = 13;
      buffer[used++] = 10;
    }
    bytes += (await file.write(buffer, 0, used)).bytesWritten;
  } finally {
    await file.close();
  }
  return { path, rows: table.numRows, bytes };
}

/**
 * The CSV lines of a table without line ends: the header, then one line per
 * row. Also a canonical text of the rows (exact values, NULL distinct from
 * ''), which tests hash and compare.
 */
export function* csvLines(table: Table): Generator<string> {
  yield table.schema.fields.map((f) => quote(f.name)).join(',');
  for (const batch of table.batches) {
    const cells = batch.schema.fields.map((_, c) => cellFormatter(batch.getChildAt(c)!.data[0]!));
    for (let i = 0; i < batch.numRows; i++) {
      let line = cells[0]!(i);
      for (let c = 1; c < cells.length; c++) line += ',' + cells[c]!(i);
      yield line;
    }
  }
}

/** A function from row index to CSV field text for one column chunk. */
function cellFormatter(data: Data): (i: number) => string {
  const type = data.type as DataType;
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  let format: (i: number) => string;
  if (DataType.isTimestamp(type)) {
    if (type.unit !== TimeUnit.MICROSECOND || !type.timezone) throw new Error(`CSV writer: only Timestamp(MICROSECOND, tz) is supported, got ${type}`);
    const values = data.values as BigInt64Array;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const iso = isoMicrosFormatter();
    format = (i) => {
      // Exact as a double below 2^53 µs (year 2255); beyond, the BigInt path.
      const hi = words[2 * i + 1]!;
      if (LITTLE_ENDIAN && hi >= 0 && hi < 0x200000) return iso(hi * 4294967296 + (words[2 * i]! >>> 0));
      return formatMicros(values[i]!);
    };
  } else if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    format = (i) => decimalText(words, i, type.scale);
  } else if (DataType.isInt(type) && type.bitWidth === 64) {
    const values = data.values as BigInt64Array | BigUint64Array;
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    format = (i) => (LITTLE_ENDIAN && words[2 * i + 1] === 0 ? String(words[2 * i]! >>> 0) : String(values[i]!));
  } else if (DataType.isInt(type) || DataType.isFloat(type)) {
    const values = data.values as ArrayLike<number>;
    format = (i) => String(values[i]!);
  } else if (DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const decoder = new TextDecoder();
    format = (i) => quote(decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)));
  } else {
    throw new Error(`CSV writer: unsupported column type ${type}`);
  }
  return (i) => (valid(i) ? format(i) : '');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const DAY_US = 86_400_000_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** `formatMicros` for non-negative µs counts below 2^53, without BigInt; each formatter caches its last date. */
function isoMicrosFormatter(): (us: number) => string {
  let cachedDay = NaN;
  let cachedDate = '';
  return (us) => {
    const day = Math.floor(us / DAY_US);
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDate = formatMicros(BigInt(day) * BigInt(DAY_US)).slice(0, 11);
    }
    const rest = us - day * DAY_US;
    const seconds = Math.floor(rest / 1_000_000);
    const micros = rest - seconds * 1_000_000;
    return (
      cachedDate +
      TWO_DIGITS[Math.floor(seconds / 3600)]! + ':' + TWO_DIGITS[Math.floor(seconds / 60) % 60]! + ':' + TWO_DIGITS[seconds % 60]! +
      '.' + String(micros).padStart(6, '0') + 'Z'
    );
  };
}

/** RFC 4180 quoting of one field; the empty string is quoted so it differs from NULL. */
export function quote(text: string): string {
  if (text === '') return '""';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Exact decimal text of row `i` of a Decimal128 buffer (four little-endian 32-bit words, two's complement). */
function decimalText(words: Uint32Array, i: number, scale: number): string {
  const o = i * 4;
  const raw =
    (BigInt(words[o + 3]!) << 96n) | (BigInt(words[o + 2]!) << 64n) | (BigInt(words[o + 1]!) << 32n) | BigInt(words[o]!);
  const value = BigInt.asIntN(128, raw);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
