/**
 * A test-only encoder that writes change events as the Debezium MySQL
 * connector and Kafka's JSON converter do, built from their documentation
 * and sources, not from the decoder (it shares no code with it):
 *
 * - envelope, `source` block, key, tombstone, truncate, transaction block:
 *   debezium `documentation/.../shared-mariadb-mysql.adoc` (create/update/
 *   delete/truncate events, trans-meta) and `SchemaFactory.java`
 *   (`sourceInfoSchemaBuilder`, the snapshot `io.debezium.data.Enum`,
 *   `transactionBlockSchema`);
 * - column encodings: the same page's "Data type mappings" (basic,
 *   temporal and decimal types) for each `time.precision.mode` and
 *   `decimal.handling.mode`;
 * - the JSON converter: Kafka `JsonConverter.java` (`{"schema","payload"}`
 *   with `schemas.enable`, bytes as base64, `decimal.format` BASE64 or
 *   NUMERIC (the exact BigDecimal), doubles and floats as Java prints them).
 */
import type { Decimal } from '@asof/core';

/** A MySQL column type, as the connector maps it. */
export type MysqlType =
  | { readonly kind: 'bigint' }
  | { readonly kind: 'int' }
  | { readonly kind: 'tinyint1' }
  | { readonly kind: 'varchar' }
  | { readonly kind: 'enum'; readonly allowed: readonly string[] }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'datetime'; readonly fsp: number }
  | { readonly kind: 'timestamp'; readonly fsp: number }
  | { readonly kind: 'date' }
  | { readonly kind: 'double' }
  | { readonly kind: 'float' }
  | { readonly kind: 'blob' };

/** A table as the connector sees it. */
export interface TableSpec {
  readonly db: string;
  readonly table: string;
  readonly columns: readonly { readonly name: string; readonly type: MysqlType; readonly optional: boolean }[];
  readonly primaryKey: readonly string[];
}

/**
 * Values of a row: BIGINT `bigint`, INT `number`, TINYINT(1) `boolean`,
 * strings, DECIMAL `Decimal`, DATETIME/TIMESTAMP epoch µs `bigint`, DATE
 * epoch days, DOUBLE/FLOAT `number`, BLOB `Uint8Array`, or null.
 */
export type Row = Readonly<Record<string, unknown>>;

/** Connector and converter settings. */
export interface EncodeSettings {
  readonly prefix: string;
  /** The JSON converter's `schemas.enable`. */
  readonly schemas: boolean;
  /** `decimal.handling.mode`, with the converter's `decimal.format` for precise: `base64` or `numeric`. */
  readonly decimals: 'base64' | 'numeric' | 'string' | 'double';
  readonly time: 'adaptive_time_microseconds' | 'connect' | 'isostring' | 'microseconds' | 'nanoseconds';
}

/** The source block's fields. */
export interface SourceInfo {
  readonly tsMs: number;
  readonly tsUs?: number;
  readonly snapshot?: string | boolean;
  readonly file?: string;
  readonly pos?: number;
  readonly row?: number;
  readonly gtid?: string | null;
}

/** A JSON number written as this literal. */
export class Raw {
  constructor(readonly text: string) {}
}

/** Compact JSON with {@link Raw} literals (this encoder's own writer). */
export function json(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Raw) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`)
    .join(',')}}`;
}

/** The topic of a table's events. */
export function topicOf(spec: TableSpec, settings: Pick<EncodeSettings, 'prefix'>): string {
  return `${settings.prefix}.${spec.db}.${spec.table}`;
}

/** A data event's value: `op` with before/after images (null for none). */
export function encodeEvent(
  spec: TableSpec,
  settings: EncodeSettings,
  op: 'c' | 'u' | 'd' | 'r' | 't',
  before: Row | null,
  after: Row | null,
  source: SourceInfo,
  transaction?: { id: string; totalOrder: number; dataCollectionOrder: number },
): string {
  const payload: Record<string, unknown> = {
    before: before && image(spec, settings, before),
    after: after && image(spec, settings, after),
    source: sourceBlock(spec, settings, source),
  };
  if (transaction) payload.transaction = { id: transaction.id, total_order: transaction.totalOrder, data_collection_order: transaction.dataCollectionOrder };
  Object.assign(payload, { op, ts_ms: source.tsMs + 7, ts_us: new Raw(`${(source.tsMs + 7) * 1000}`), ts_ns: new Raw(String(BigInt(source.tsMs + 7) * 1_000_000n)) });
  if (!settings.schemas) return json(payload);
  const row = { type: 'struct', fields: spec.columns.map((c) => fieldSchema(c.name, c.type, c.optional, settings)), optional: true, name: `${topicOf(spec, settings)}.Value` };
  const fields: unknown[] = [
    { ...row, field: 'before' },
    { ...row, field: 'after' },
    { ...SOURCE_SCHEMA, field: 'source' },
  ];
  if (transaction) fields.push({ ...TRANSACTION_SCHEMA, field: 'transaction' });
  fields.push(
    { type: 'string', optional: false, field: 'op' },
    { type: 'int64', optional: true, field: 'ts_ms' },
    { type: 'int64', optional: true, field: 'ts_us' },
    { type: 'int64', optional: true, field: 'ts_ns' },
  );
  return json({ schema: { type: 'struct', fields, optional: false, name: `${topicOf(spec, settings)}.Envelope`, version: 2 }, payload });
}

/** A message key: the primary key's columns. */
export function encodeKey(spec: TableSpec, settings: EncodeSettings, row: Row): string {
  const columns = spec.primaryKey.map((k) => spec.columns.find((c) => c.name === k)!);
  const payload = image({ ...spec, columns }, settings, row);
  if (!settings.schemas) return json(payload);
  return json({
    schema: { type: 'struct', fields: columns.map((c) => fieldSchema(c.name, c.type, false, settings)), optional: false, name: `${topicOf(spec, settings)}.Key` },
    payload,
  });
}

function image(spec: TableSpec, settings: EncodeSettings, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) out[c.name] = row[c.name] === null || row[c.name] === undefined ? null : encodeValue(c.type, row[c.name], settings);
  return out;
}

function sourceBlock(spec: TableSpec, settings: EncodeSettings, s: SourceInfo): Record<string, unknown> {
  return {
    version: '2.7.3.Final',
    connector: 'mysql',
    name: settings.prefix,
    ts_ms: s.tsMs,
    ts_us: new Raw(String(s.tsUs ?? s.tsMs * 1000)),
    ts_ns: new Raw(String(BigInt(s.tsUs ?? s.tsMs * 1000) * 1000n)),
    snapshot: s.snapshot ?? 'false',
    db: spec.db,
    sequence: null,
    table: spec.table,
    server_id: 223344,
    gtid: s.gtid ?? null,
    file: s.file ?? 'mysql-bin.000003',
    pos: s.pos ?? 154,
    row: s.row ?? 0,
    thread: 7,
    query: null,
  };
}

const SOURCE_SCHEMA = {
  type: 'struct',
  fields: [
    { type: 'string', optional: false, field: 'version' },
    { type: 'string', optional: false, field: 'connector' },
    { type: 'string', optional: false, field: 'name' },
    { type: 'int64', optional: false, field: 'ts_ms' },
    {
      type: 'string',
      optional: true,
      name: 'io.debezium.data.Enum',
      version: 1,
      parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
      default: 'false',
      field: 'snapshot',
    },
    { type: 'string', optional: false, field: 'db' },
    { type: 'string', optional: true, field: 'sequence' },
    { type: 'int64', optional: true, field: 'ts_us' },
    { type: 'int64', optional: true, field: 'ts_ns' },
    { type: 'string', optional: true, field: 'table' },
    { type: 'int64', optional: false, field: 'server_id' },
    { type: 'string', optional: true, field: 'gtid' },
    { type: 'string', optional: false, field: 'file' },
    { type: 'int64', optional: false, field: 'pos' },
    { type: 'int32', optional: false, field: 'row' },
    { type: 'int64', optional: true, field: 'thread' },
    { type: 'string', optional: true, field: 'query' },
  ],
  optional: false,
  name: 'io.debezium.connector.mysql.Source',
  version: 1,
};

const TRANSACTION_SCHEMA = {
  type: 'struct',
  fields: [
    { type: 'string', optional: false, field: 'id' },
    { type: 'int64', optional: false, field: 'total_order' },
    { type: 'int64', optional: false, field: 'data_collection_order' },
  ],
  optional: true,
  name: 'event.block',
  version: 1,
};

function fieldSchema(name: string, type: MysqlType, optional: boolean, settings: EncodeSettings): Record<string, unknown> {
  const base = (t: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: t, optional, ...extra, field: name });
  switch (type.kind) {
    case 'bigint':
      return base('int64');
    case 'int':
      return base('int32');
    case 'tinyint1':
      return base('int8');
    case 'varchar':
      return base('string');
    case 'enum':
      return base('string', { name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: type.allowed.join(',') } });
    case 'decimal':
      if (settings.decimals === 'string') return base('string');
      if (settings.decimals === 'double') return base('double');
      return base('bytes', { name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: String(type.scale), 'connect.decimal.precision': String(type.precision) } });
    case 'datetime':
      if (settings.time === 'isostring') return base('string', { name: 'io.debezium.time.IsoTimestamp', version: 1 });
      if (settings.time === 'connect') return base('int64', { name: 'org.apache.kafka.connect.data.Timestamp', version: 1 });
      if (settings.time === 'nanoseconds') return base('int64', { name: 'io.debezium.time.NanoTimestamp', version: 1 });
      if (settings.time === 'microseconds' || type.fsp > 3) return base('int64', { name: 'io.debezium.time.MicroTimestamp', version: 1 });
      return base('int64', { name: 'io.debezium.time.Timestamp', version: 1 });
    case 'timestamp':
      return base('string', { name: 'io.debezium.time.ZonedTimestamp', version: 1 });
    case 'date':
      if (settings.time === 'isostring') return base('string', { name: 'io.debezium.time.IsoDate', version: 1 });
      if (settings.time === 'connect') return base('int32', { name: 'org.apache.kafka.connect.data.Date', version: 1 });
      return base('int32', { name: 'io.debezium.time.Date', version: 1 });
    case 'double':
      return base('double');
    case 'float':
      return base('float');
    case 'blob':
      return base('bytes');
  }
}

/** One value as the connector and converter write it. */
export function encodeValue(type: MysqlType, value: unknown, settings: EncodeSettings): unknown {
  switch (type.kind) {
    case 'bigint':
      return new Raw(String(value as bigint));
    case 'int':
      return value as number;
    case 'tinyint1':
      return value ? 1 : 0;
    case 'varchar':
    case 'enum':
      return value as string;
    case 'decimal': {
      const d = value as Decimal;
      if (settings.decimals === 'string') return plainDecimal(d.unscaled, d.scale);
      if (settings.decimals === 'double') return new Raw(javaDouble(Number(plainDecimal(d.unscaled, d.scale))));
      if (settings.decimals === 'numeric') return new Raw(javaBigDecimal(d.unscaled, d.scale));
      return twosComplementBase64(d.unscaled);
    }
    case 'datetime': {
      const us = value as bigint;
      if (settings.time === 'isostring') return isoInstant(us);
      if (settings.time === 'connect' || (settings.time === 'adaptive_time_microseconds' && type.fsp <= 3)) return new Raw(String(us / 1000n));
      if (settings.time === 'nanoseconds') return new Raw(String(us * 1000n));
      return new Raw(String(us));
    }
    case 'timestamp':
      return isoInstant(value as bigint);
    case 'date':
      return settings.time === 'isostring' ? `${isoDate(value as number)}Z` : (value as number);
    case 'double':
      return Object.is(value, -0) ? new Raw('-0.0') : new Raw(javaDouble(value as number));
    case 'float':
      return new Raw(javaFloat(value as number));
    case 'blob':
      return Buffer.from(value as Uint8Array).toString('base64');
  }
}

/** Java's `BigInteger.toByteArray()` (minimal two's complement, big-endian) in base64, as Jackson writes a binary node. */
export function twosComplementBase64(n: bigint): string {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(BigInt.asUintN(8, v)));
    v >>= 8n;
  } while (!((v === 0n && bytes[0]! < 0x80) || (v === -1n && bytes[0]! >= 0x80)));
  return Buffer.from(bytes).toString('base64');
}

/** `BigDecimal.toPlainString()`. */
export function plainDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** `BigDecimal.toString()`: plain unless the adjusted exponent is below -6, then scientific (`1.23E-7`). */
export function javaBigDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) return plainDecimal(unscaled, scale);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${negative ? '-' : ''}${mantissa}E${adjusted}`;
}

/** `Double.toString(d)` (JDK 19+: the shortest digits): `100.0`, `0.001`, `1.0E7`, `1.234E-5`. */
export function javaDouble(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  const [mantissa, exp] = d.toExponential().split('e') as [string, string];
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = d.toString().includes('e') ? d.toFixed(20).replace(/0+$/, '') : d.toString();
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exp)}`;
}

/** `Float.toString(f)`: the shortest digits that read back as the same float32. */
export function javaFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  for (let p = 1; p <= 9; p++) {
    const text = f.toPrecision(p);
    if (Math.fround(Number(text)) === f) return javaDouble(Number(text));
  }
  return javaDouble(f);
}

/** ISO_OFFSET_DATE_TIME in UTC with the fraction trimmed, as ZonedTimestamp and IsoTimestamp write it. */
export function isoInstant(us: bigint): string {
  const days = us >= 0n ? us / 86_400_000_000n : -((-us + 86_400_000_000n - 1n) / 86_400_000_000n);
  const rest = Number(us - days * 86_400_000_000n);
  const seconds = Math.floor(rest / 1_000_000);
  const fraction = rest % 1_000_000;
  const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  const frac = fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`.replace(/0+$/, '');
  return `${isoDate(Number(days))}T${time}${frac}Z`;
}

/** `YYYY-MM-DD` of epoch days (proleptic Gregorian; its own arithmetic, not the decoder's). */
export function isoDate(days: number): string {
  const date = new Date(days * 86_400_000);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
