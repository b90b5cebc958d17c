/**
 * How the Debezium MySQL connector and its JSON converter were configured,
 * as far as decoding needs it. The option names follow the connector's
 * own (`decimal.handling.mode` → `decimalHandlingMode`), so they can be
 * copied from its configuration. Only messages without a `schema` part
 * depend on them: with the schema, each field says how it is encoded.
 */
import { DefinitionError, InvalidInputError, versionTimeOf, type DType, type MysqlTableSource, type Source } from '@asof/core';

/** A unit for epoch numbers in timestamp columns: ms (`io.debezium.time.Timestamp`), µs (`MicroTimestamp`) or ns (`NanoTimestamp`). */
export type EpochUnit = 'ms' | 'us' | 'ns';

/** Options of {@link createDebeziumDecoder}. */
export interface DebeziumDecoderOptions {
  /** The sources the topics feed: MySQL table sources with declared `columns` and `primaryKey`. */
  readonly sources: readonly Source[];
  /** The connector's `topic.prefix`: table topics are `<prefix>.<database>.<table>`, schema changes go to `<prefix>`. */
  readonly topicPrefix: string;
  /** Only topics of this database map to sources by table name (default: any database; a source's `schema.table` pins its own). */
  readonly database?: string;
  /** Explicit topic → source name, for topics renamed by routing transforms; checked before the naming convention. */
  readonly topics?: Readonly<Record<string, string>>;
  /** The transaction metadata topic (`topic.transaction`); default `<prefix>.transaction`. */
  readonly transactionTopic?: string;
  /** The heartbeat topic prefix (`topic.heartbeat.prefix`); default `__debezium-heartbeat`. */
  readonly heartbeatTopicPrefix?: string;
  /** A data event of a table no source reads: a dead letter (default) or an `ignored` change, counted. */
  readonly unmappedTables?: 'dead-letter' | 'ignore';
  /** The connector's `decimal.handling.mode` (default `precise`). */
  readonly decimalHandlingMode?: 'precise' | 'string' | 'double';
  /** The JSON converter's `decimal.format` for precise decimals: base64 bytes (default) or a JSON number. */
  readonly decimalFormat?: 'base64' | 'numeric';
  /**
   * Accept doubles for decimal columns (`decimal.handling.mode=double`),
   * rounded half-even to the declared scale: exact up to 15 significant
   * digits, lossy past that. Default false: such a value is a dead letter.
   */
  readonly acceptLossyDecimals?: boolean;
  /** The connector's `time.precision.mode` (default `adaptive_time_microseconds`); `structured` is not supported. */
  readonly timePrecisionMode?: 'adaptive_time_microseconds' | 'adaptive' | 'connect' | 'isostring' | 'microseconds' | 'nanoseconds';
  /**
   * Without a schema, the unit of an epoch number in a timestamp column.
   * Under the adaptive modes it depends on the column (DATETIME(0-3): ms,
   * DATETIME(4-6): µs), which the message does not say: name it per source
   * and column, or for all. Under `connect` it is ms, under `microseconds`
   * µs, under `nanoseconds` ns.
   */
  readonly timestampUnits?: { readonly default?: EpochUnit; readonly columns?: Readonly<Record<string, Readonly<Record<string, EpochUnit>>>> };
  /** The connector's `binary.handling.mode` (default `bytes`, which the JSON converter writes as base64). */
  readonly binaryHandlingMode?: 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
  /** The connector's `bigint.unsigned.handling.mode` (default `long`); `precise` sends BIGINT UNSIGNED as a decimal. */
  readonly bigintUnsignedHandlingMode?: 'long' | 'precise';
}

/** A declared column being decoded, made once per source (not per value). */
export interface ColumnTarget {
  readonly source: MappedSource;
  readonly column: string;
  readonly dtype: DType;
  /** `column 'x' of source 'y'`, for messages. */
  readonly what: string;
}

/** A source the decoder can fill, with what decoding needs precomputed. */
export interface MappedSource {
  readonly source: MysqlTableSource;
  readonly name: string;
  /** Declared columns, in declaration order. */
  readonly columns: readonly string[];
  readonly dtypes: readonly DType[];
  /** Per column, what its decoding needs. */
  readonly targets: readonly ColumnTarget[];
  /** Indexes of the primary-key columns in `columns`. */
  readonly keyIndexes: readonly number[];
  /** Index of the version-time column in `columns`. */
  readonly versionIndex: number;
  /** The table's database when the source pins one (`schema.table`), else null. */
  readonly db: string | null;
  readonly table: string;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  readonly sources: ReadonlyMap<string, MappedSource>;
  /** Lower-cased table name → sources reading it. */
  readonly byTable: ReadonlyMap<string, readonly MappedSource[]>;
  readonly topicPrefix: string;
  readonly database: string | null;
  readonly topics: ReadonlyMap<string, MappedSource>;
  readonly transactionTopic: string;
  readonly heartbeatTopic: string;
  readonly unmappedTables: 'dead-letter' | 'ignore';
  readonly decimalHandlingMode: 'precise' | 'string' | 'double';
  readonly decimalFormat: 'base64' | 'numeric';
  readonly acceptLossyDecimals: boolean;
  readonly timePrecisionMode: string;
  readonly defaultEpochUnit: EpochUnit | null;
  readonly epochUnits: ReadonlyMap<string, ReadonlyMap<string, EpochUnit>>;
  readonly binaryHandlingMode: 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
  readonly bigintUnsignedHandlingMode: 'long' | 'precise';
}

const TIME_MODES = ['adaptive_time_microseconds', 'adaptive', 'connect', 'isostring', 'microseconds', 'nanoseconds'];
const UNITS: readonly EpochUnit[] = ['ms', 'us', 'ns'];

/** Checks the options and applies defaults; a bad option is an `InvalidInputError` (a bad source a `DefinitionError`). */
export function resolveOptions(options: DebeziumDecoderOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidInputError('createDebeziumDecoder takes an options object: { sources, topicPrefix }');
  const prefix = options.topicPrefix;
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new InvalidInputError("Debezium decoder: topicPrefix must be the connector's topic.prefix, e.g. 'trs'");
  }
  if (!Array.isArray(options.sources) || options.sources.length === 0) {
    throw new InvalidInputError('Debezium decoder: sources must list the mysqlTable sources the topics feed');
  }
  const sources = new Map<string, MappedSource>();
  const byTable = new Map<string, MappedSource[]>();
  for (const source of options.sources) {
    const mapped = mapSource(source);
    if (sources.has(mapped.name)) throw new InvalidInputError(`Debezium decoder: source '${mapped.name}' is listed twice`);
    sources.set(mapped.name, mapped);
    const key = mapped.table.toLowerCase();
    const clash = (byTable.get(key) ?? []).find((m) => m.db === null || mapped.db === null || m.db.toLowerCase() === mapped.db.toLowerCase());
    if (clash) {
      // One message decodes to one change, so a table cannot feed two sources of one decoder.
      throw new InvalidInputError(
        `Debezium decoder: sources '${clash.name}' and '${mapped.name}' both read table '${mapped.table}'; give each its own decoder`,
      );
    }
    byTable.set(key, [...(byTable.get(key) ?? []), mapped]);
  }
  const topics = new Map<string, MappedSource>();
  for (const [topic, name] of Object.entries(options.topics ?? {})) {
    const mapped = sources.get(name);
    if (!mapped) throw new InvalidInputError(`Debezium decoder: topics maps '${topic}' to '${name}', which is not among the sources (${[...sources.keys()].join(', ')})`);
    topics.set(topic, mapped);
  }
  const timeMode = options.timePrecisionMode ?? 'adaptive_time_microseconds';
  if (!TIME_MODES.includes(timeMode)) {
    throw new InvalidInputError(`Debezium decoder: timePrecisionMode ${JSON.stringify(timeMode)} is not supported; use one of ${TIME_MODES.join(', ')}`);
  }
  const decimalMode = oneOf(options.decimalHandlingMode, ['precise', 'string', 'double'] as const, 'precise', 'decimalHandlingMode');
  const acceptLossy = options.acceptLossyDecimals ?? false;
  if (typeof acceptLossy !== 'boolean') throw new InvalidInputError('Debezium decoder: acceptLossyDecimals must be true or false');
  if (decimalMode === 'double' && !acceptLossy) {
    throw new InvalidInputError(
      "Debezium decoder: decimalHandlingMode 'double' sends decimals as doubles, which are not exact past 15 digits; " +
        "set the connector's decimal.handling.mode to precise or string, or accept it with acceptLossyDecimals: true",
    );
  }
  const units = options.timestampUnits ?? {};
  const defaultUnit = units.default ?? (timeMode === 'connect' ? 'ms' : timeMode === 'microseconds' ? 'us' : timeMode === 'nanoseconds' ? 'ns' : null);
  if (defaultUnit !== null && !UNITS.includes(defaultUnit)) throw new InvalidInputError(`Debezium decoder: timestampUnits.default must be one of ${UNITS.join(', ')}`);
  const epochUnits = new Map<string, Map<string, EpochUnit>>();
  for (const [name, columns] of Object.entries(units.columns ?? {})) {
    const mapped = sources.get(name);
    if (!mapped) throw new InvalidInputError(`Debezium decoder: timestampUnits.columns names source '${name}', which is not among the sources`);
    const perColumn = new Map<string, EpochUnit>();
    for (const [column, unit] of Object.entries(columns)) {
      const i = mapped.columns.indexOf(column);
      if (i < 0 || mapped.dtypes[i]!.kind !== 'timestamp') {
        throw new InvalidInputError(`Debezium decoder: timestampUnits.columns.${name}.${column} is not a declared timestamp column of '${name}'`);
      }
      if (!UNITS.includes(unit)) throw new InvalidInputError(`Debezium decoder: timestampUnits.columns.${name}.${column} must be one of ${UNITS.join(', ')}`);
      perColumn.set(column, unit);
    }
    epochUnits.set(name, perColumn);
  }
  return {
    sources,
    byTable,
    topicPrefix: prefix,
    database: options.database ?? null,
    topics,
    transactionTopic: options.transactionTopic ?? `${prefix}.transaction`,
    heartbeatTopic: `${options.heartbeatTopicPrefix ?? '__debezium-heartbeat'}.${prefix}`,
    unmappedTables: oneOf(options.unmappedTables, ['dead-letter', 'ignore'] as const, 'dead-letter', 'unmappedTables'),
    decimalHandlingMode: decimalMode,
    decimalFormat: oneOf(options.decimalFormat, ['base64', 'numeric'] as const, 'base64', 'decimalFormat'),
    acceptLossyDecimals: acceptLossy,
    timePrecisionMode: timeMode,
    defaultEpochUnit: defaultUnit,
    epochUnits,
    binaryHandlingMode: oneOf(options.binaryHandlingMode, ['bytes', 'base64', 'base64-url-safe', 'hex'] as const, 'bytes', 'binaryHandlingMode'),
    bigintUnsignedHandlingMode: oneOf(options.bigintUnsignedHandlingMode, ['long', 'precise'] as const, 'long', 'bigintUnsignedHandlingMode'),
  };
}

function mapSource(source: Source): MappedSource {
  if (typeof source !== 'object' || source === null || source.kind !== 'mysql_table') {
    const name = (source as { name?: unknown } | null)?.name;
    throw new DefinitionError(
      `Debezium decoder: source ${JSON.stringify(name)} is not a mysqlTable source; change events describe a table's rows, ` +
        'so only mysqlTable sources can be fed from Debezium topics',
    );
  }
  const what = `Debezium decoder: source '${source.name}'`;
  if (!source.columns) throw new DefinitionError(`${what} declares no columns; declare them (with exact dtypes) so change events can be decoded to them`);
  if (!source.primaryKey) throw new DefinitionError(`${what} declares no primaryKey; a change event's row is identified by it`);
  const columns = Object.keys(source.columns);
  const dtypes = columns.map((c) => source.columns![c]!);
  const list = columns.find((_, i) => dtypes[i]!.kind === 'list');
  if (list !== undefined) throw new DefinitionError(`${what}: column '${list}' is declared as a list, which no MySQL column is`);
  const versionColumn = versionTimeOf(source);
  const versionIndex = columns.indexOf(versionColumn);
  if (versionIndex < 0 || dtypes[versionIndex]!.kind !== 'timestamp') {
    throw new DefinitionError(`${what}: its version-time column '${versionColumn}' must be a declared timestamp column`);
  }
  const dot = source.table.indexOf('.');
  const targets: ColumnTarget[] = [];
  const mapped: MappedSource = {
    source,
    name: source.name,
    columns,
    dtypes,
    targets,
    keyIndexes: source.primaryKey.map((k) => columns.indexOf(k)),
    versionIndex,
    db: dot < 0 ? null : source.table.slice(0, dot),
    table: dot < 0 ? source.table : source.table.slice(dot + 1),
  };
  columns.forEach((column, i) => targets.push({ source: mapped, column, dtype: dtypes[i]!, what: `column '${column}' of source '${source.name}'` }));
  return mapped;
}

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new InvalidInputError(`Debezium decoder: ${name} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}
