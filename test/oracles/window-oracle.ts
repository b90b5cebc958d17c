/**
 * Brute-force oracle for windowed aggregations (DESIGN §3), written from the
 * contract alone: plain objects, nested loops, BigInt microseconds. The value
 * at `t` aggregates the key's events with `t - window < event_ts <= t` (a
 * lifetime window: `event_ts <= t`), and `created_ts <= asKnownAt` when
 * given, that pass every predicate. Slow and
 * obvious on purpose; the property tests compare `evaluateWindows` with it.
 */

/** How a column's values compare and sum. Decimals are scaled integers (`bigint`). */
export type OracleKind = 'float' | 'int' | 'decimal' | 'string' | 'bool' | 'time';

/** A cell: floats as `number`, ints/decimals/times as `bigint`. */
export type OracleValue = number | bigint | string | boolean | null;

export interface OracleEvent {
  /** Key tuple; any `null` means the event belongs to no key. */
  readonly keys: readonly (bigint | number | string | null)[];
  readonly eventTs: bigint;
  /** `null` sorts below every known created time and never passes `asKnownAt`. */
  readonly createdTs: bigint | null;
  readonly values: Readonly<Record<string, OracleValue>>;
}

export interface OraclePredicate {
  readonly column: string;
  readonly op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is null' | 'is not null';
  readonly value?: OracleLiteral | readonly OracleLiteral[];
}
export type OracleLiteral = number | bigint | string | boolean | null;

export interface OracleAggregation {
  readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'last' | 'count_distinct' | 'collect_set';
  readonly column: string | null;
  /** Window length in µs; `null` = lifetime. */
  readonly windowUs: bigint | null;
  readonly where: readonly OraclePredicate[];
  /** For `sum` of ints and decimals: the output (a decimal output has this scale). */
  readonly sumAs?: 'float64' | 'int64' | { readonly decimalScale: number };
}

export interface OracleColumns {
  readonly [column: string]: { readonly kind: OracleKind; readonly scale?: number };
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The aggregate for key tuple `keys` at instant `t`. */
export function windowOracle(
  events: readonly OracleEvent[],
  columns: OracleColumns,
  agg: OracleAggregation,
  keys: readonly (bigint | number | string)[],
  t: bigint,
  asKnownAt?: bigint,
): unknown {
  const window: { event: OracleEvent; index: number }[] = [];
  events.forEach((event, index) => {
    if (!same(event.keys, keys)) return;
    if (asKnownAt !== undefined && (event.createdTs === null || event.createdTs > asKnownAt)) return;
    if (!((agg.windowUs === null || t - agg.windowUs < event.eventTs) && event.eventTs <= t)) return;
    if (!agg.where.every((p) => passes(p, event, columns))) return;
    window.push({ event, index });
  });
  const col = agg.column;
  const kind = col === null ? 'int' : columns[col]!.kind;
  const values = col === null ? [] : window.map((w) => w.event.values[col]!).filter((v) => v !== null);
  switch (agg.fn) {
    case 'count':
      return BigInt(col === null ? window.length : values.length);
    case 'sum': {
      if (values.length === 0) return null;
      if (kind === 'float') return quarterSum(values as number[]);
      const exact = (values as bigint[]).reduce((x, y) => x + y, 0n);
      const scale = columns[col!]!.scale ?? 0;
      const as = agg.sumAs ?? 'float64';
      if (as === 'int64') return exact;
      if (as === 'float64') return Number(exact) / 10 ** scale;
      return exact * 10n ** BigInt(as.decimalScale - scale);
    }
    case 'avg': {
      if (values.length === 0) return null;
      if (kind === 'float') return quarterSum(values as number[]) / values.length;
      const total = Number((values as bigint[]).reduce((x, y) => x + y, 0n)) / 10 ** (columns[col!]!.scale ?? 0);
      return total / values.length;
    }
    case 'min':
    case 'max': {
      if (values.length === 0) return null;
      let best = values[0]!;
      for (const v of values) if (compare(kind, v, best) * (agg.fn === 'min' ? -1 : 1) > 0) best = v;
      return best;
    }
    case 'last': {
      if (window.length === 0) return null;
      let best = window[0]!;
      for (const w of window) {
        const [a, b] = [w.event, best.event];
        const later =
          a.eventTs !== b.eventTs
            ? a.eventTs > b.eventTs
            : a.createdTs !== b.createdTs
              ? b.createdTs === null || (a.createdTs !== null && a.createdTs > b.createdTs)
              : w.index > best.index;
        if (later) best = w;
      }
      return best.event.values[col!];
    }
    case 'count_distinct':
      return BigInt(distinct(kind, values).length);
    case 'collect_set':
      return distinct(kind, values).sort((x, y) => compare(kind, x, y));
  }
}

/** The exact sum of multiples of 1/4 (all the oracle's float inputs), rounded once. */
function quarterSum(values: readonly number[]): number {
  return (
    Number(
      values.reduce((acc, v) => {
        if (!Number.isInteger(v * 4)) throw new Error(`oracle floats must be multiples of 1/4, got ${v}`);
        return acc + BigInt(v * 4);
      }, 0n),
    ) / 4
  );
}

function distinct(kind: OracleKind, values: readonly OracleValue[]): OracleValue[] {
  const out: OracleValue[] = [];
  for (const v of values) if (!out.some((o) => compare(kind, o, v) === 0)) out.push(v);
  return out;
}

function codePoints(a: string, b: string): number {
  const x = Array.from(a, (ch) => ch.codePointAt(0)!);
  const y = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
  return x.length - y.length;
}

/** -1/0/1 for two non-null values; numbers and bigints may meet (JS compares those exactly). */
function compare(kind: OracleKind, a: OracleValue, b: OracleValue): number {
  if (kind === 'string') return codePoints(a as string, b as string);
  if (kind === 'bool') return Number(a) - Number(b);
  // eslint-disable-next-line eqeqeq
  return (a as number) < (b as number) ? -1 : (a as number) == (b as number) ? 0 : 1;
}

/** A literal in the column's terms: decimals scaled (the tests only use literals exact at that scale). */
function literal(kind: OracleKind, scale: number, lit: OracleLiteral): OracleValue {
  if (kind !== 'decimal' || lit === null) return lit;
  return typeof lit === 'bigint' ? lit * 10n ** BigInt(scale) : BigInt(Math.round((lit as number) * 10 ** scale));
}

function passes(p: OraclePredicate, event: OracleEvent, columns: OracleColumns): boolean {
  const { kind, scale = 0 } = columns[p.column]!;
  const v = event.values[p.column] ?? null;
  if (p.op === 'is null') return v === null;
  if (p.op === 'is not null') return v !== null;
  if (p.op === 'in' || p.op === 'not in') {
    const list = p.value as readonly OracleLiteral[];
    if (v === null) return false;
    const hit = list.some((l) => l !== null && compare(kind, v, literal(kind, scale, l)) === 0);
    // SQL: `x not in (…, null)` is never true.
    return p.op === 'in' ? hit : !hit && !list.includes(null);
  }
  if (v === null || p.value === null) return false;
  const c = compare(kind, v, literal(kind, scale, p.value as OracleLiteral));
  return { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[p.op];
}
