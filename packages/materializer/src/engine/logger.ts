/** Severity of a log record, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields of a log record: any JSON-able values (bigints and errors are converted). */
export type LogFields = Readonly<Record<string, unknown>>;

/** How records are written: one JSON object per line, or aligned text for people. */
export type LogFormat = 'json' | 'pretty';

/**
 * The logger every command and the pipeline write to. A record is a message
 * plus fields; `child` binds fields (e.g. `view`) to every later record.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly format: LogFormat;
  /** Receives each record as one line without its newline (the CLI sends it to stderr, above any progress bars). */
  readonly write: (line: string) => void;
  /** Records below this level are dropped (default `info`). */
  readonly level?: LogLevel;
  readonly now?: () => Date;
  /** Fields bound to every record. */
  readonly fields?: LogFields;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger writing JSON lines (`{"ts","level","msg",...fields}`, for log
 * collectors) or pretty lines (`12:00:01.250 INFO  msg key=value`). Small on
 * purpose: a CLI that logs a few records per view does not need pino's
 * worker-thread transports.
 */
export function createLogger(options: LoggerOptions): Logger {
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const bound = options.fields ?? {};
  const log = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const all = { ...bound, ...fields };
    const ts = now().toISOString();
    options.write(options.format === 'json' ? JSON.stringify({ ts, level, msg, ...toJsonFields(all) }) : prettyLine(ts, level, msg, all));
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

/** A logger that drops everything (library callers that pass none). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

function toJsonFields(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = toJsonValue(value);
  return out;
}

function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString(); // JSON has no int64; a string keeps every digit
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') return toJsonFields(value as LogFields);
  return value;
}

function prettyLine(ts: string, level: LogLevel, msg: string, fields: LogFields): string {
  const parts = [ts.slice(11, 23), level.toUpperCase().padEnd(5), msg];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const json = toJsonValue(value);
    // Strings are quoted only when they would not read as one token; arrays and objects show as JSON.
    const text = typeof json === 'string' ? (/[\s"=]/.test(json) || json === '' ? JSON.stringify(json) : json) : JSON.stringify(json);
    parts.push(`${key}=${text}`);
  }
  return parts.join(' ');
}
