import { DataType, Decimal, DenseUnion, Field, Float64, Int64, makeData, makeVector, Table, Utf8, vectorFromArray, type Data, type Vector } from 'apache-arrow';
import { decimalAt, gather, SchemaMismatchError, typeKey, writeDecimal, type DecimalDType, type DType } from '@asof/core';
import type { FeatureChange } from './snapshot.js';

/** What `change` says where no difference is defined (see {@link longComparison}). */
export type ChangeWord = 'added' | 'removed' | 'changed';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Decimal128 holds 38 digits; a difference of two 38-digit values may not fit. */
const DECIMAL_LIMIT = 10n ** 38n;

/**
 * `compare(…, { format: 'long' })`: one row per (entity, feature) that
 * changed, entities in spine order and each entity's features in request
 * order. Columns: the spine's, `feature` (the output name), `before` (at
 * `t1`), `after` (at `t2`) and `change`:
 *
 * - `added` where the value was null before, `removed` where it is null after;
 * - otherwise, for int64, int32, float64 and decimal features, `after − before`
 *   (int64 as int64, int32 and float64 as float64 with IEEE arithmetic, so
 *   NaN on either side gives NaN; decimals exact at the feature's scale), or
 *   `changed` where that difference does not fit (int64 overflow, more than
 *   38 decimal digits);
 * - `changed` for every other type (strings, booleans, timestamps, dates, lists).
 *
 * `before` and `after` keep each feature's Arrow type: one column of that
 * type when every feature has it, else a dense union with one member per
 * type. `change` is a dense union of the numeric kinds asked for plus a
 * Utf8 member for the words, or Utf8 alone when no feature is numeric. The
 * schema depends only on the features requested, never on the data.
 */
export function longComparison(spine: Table, changes: readonly FeatureChange[], dtypes: ReadonlyMap<string, DType>): Table {
  const entities: number[] = [];
  const features: number[] = [];
  for (let i = 0; i < spine.numRows; i++) {
    changes.forEach((c, f) => {
      if (c.changed[i]) entities.push(i), features.push(f);
    });
  }
  const rows = Int32Array.from(entities);
  const columns: Record<string, Vector> = {};
  for (const field of spine.schema.fields) columns[field.name] = gather(spine.getChild(field.name)!, rows);
  columns.feature = vectorFromArray(features.map((f) => changes[f]!.name), new Utf8());
  columns.before = stack(changes.map((c) => c.before), features, rows);
  columns.after = stack(changes.map((c) => c.after), features, rows);
  columns.change = changeColumn(changes, dtypes, features, rows);
  return new Table(columns);
}

/** Long row `r` takes feature `features[r]`'s value at spine row `rows[r]`; one member per distinct type. */
function stack(vectors: readonly Vector[], features: readonly number[], rows: Int32Array): Vector {
  const groupOf = new Map<string, number>();
  const groups: { type: DataType; members: number[] }[] = [];
  const group = vectors.map((v) => {
    const key = typeKey(v.type as DataType);
    let g = groupOf.get(key);
    if (g === undefined) groupOf.set(key, (g = groups.push({ type: v.type as DataType, members: [] }) - 1));
    return g;
  });
  // Each group's features end to end in one vector; a feature's rows start at its base there.
  const base = new Array<number>(vectors.length).fill(0);
  const stacked = groups.map((g, k) => {
    const members = vectors.map((_, f) => f).filter((f) => group[f] === k);
    let offset = 0;
    for (const f of members) (base[f] = offset), (offset += vectors[f]!.length);
    const [first, ...rest] = members.map((f) => vectors[f]!);
    return rest.length === 0 ? first! : first!.concat(...rest);
  });
  const take = groups.map(() => [] as number[]);
  const typeIds = new Int8Array(rows.length);
  const offsets = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const g = group[features[r]!]!;
    typeIds[r] = g;
    offsets[r] = take[g]!.length;
    take[g]!.push(base[features[r]!]! + rows[r]!);
  }
  const children = stacked.map((v, g) => gather(v, Int32Array.from(take[g]!)));
  if (groups.length <= 1) return children[0] ?? vectorFromArray([], new Utf8());
  return union(children.map((c, g) => new Field(typeKey(groups[g]!.type), c.type, true)), children.map((c) => c.data[0]!), typeIds, offsets);
}

type Member = { readonly kind: 'int64' } | { readonly kind: 'float64' } | { readonly kind: 'decimal'; readonly scale: number };

function memberOf(dtype: DType | undefined): Member | null {
  switch (dtype?.kind) {
    case 'int64':
      return { kind: 'int64' };
    case 'int32':
    case 'float64':
      return { kind: 'float64' };
    case 'decimal':
      return { kind: 'decimal', scale: (dtype as DecimalDType).scale };
    default:
      return null;
  }
}

const memberName = (m: Member) => (m.kind === 'decimal' ? `decimal(38, ${m.scale})` : m.kind);

function changeColumn(changes: readonly FeatureChange[], dtypes: ReadonlyMap<string, DType>, features: readonly number[], rows: Int32Array): Vector {
  const names: string[] = [];
  const members: Member[] = [];
  const memberIndex = changes.map((c) => {
    const m = memberOf(dtypes.get(c.name));
    if (m === null) return -1;
    const name = memberName(m);
    if (!names.includes(name)) names.push(name), members.push(m);
    return names.indexOf(name);
  });
  const words: string[] = [];
  const numeric: (bigint | number)[][] = members.map(() => []);
  const typeIds = new Int8Array(rows.length);
  const offsets = new Int32Array(rows.length);
  const word = (r: number, w: ChangeWord) => ((typeIds[r] = members.length), (offsets[r] = words.push(w) - 1));

  // Per feature, its long rows' values before and after, gathered once (single chunks, offset 0).
  const rowsOf = changes.map(() => [] as number[]);
  features.forEach((f, r) => rowsOf[f]!.push(r));
  changes.forEach((c, f) => {
    const longRows = rowsOf[f]!;
    if (longRows.length === 0) return;
    const take = Int32Array.from(longRows, (r) => rows[r]!);
    const x = gather(c.before, take).data[0]!;
    const y = gather(c.after, take).data[0]!;
    const m = memberIndex[f]!;
    if (m >= 0) for (const data of [x, y]) checkType(members[m]!, data.type as DataType, c.name);
    longRows.forEach((r, j) => {
      const hadValue = x.getValid(j);
      const hasValue = y.getValid(j);
      if (!hadValue || !hasValue) return void word(r, hadValue ? 'removed' : 'added');
      const d = m < 0 ? null : difference(members[m]!, x, y, j);
      if (d === null) return void word(r, 'changed');
      typeIds[r] = m;
      offsets[r] = numeric[m]!.push(d) - 1;
    });
  });

  const wordsData = vectorFromArray(words, new Utf8()).data[0]!;
  if (members.length === 0) return makeVector(wordsData);
  const children = members.map((m, k) => memberData(m, numeric[k]!));
  const fields = [...members.map((m, k) => new Field(names[k]!, children[k]!.type, true)), new Field('word', new Utf8(), true)];
  return union(fields, [...children, wordsData], typeIds, offsets);
}

/** The registry's dtype names the member; values of another Arrow type would be read as garbage. */
function checkType(member: Member, type: DataType, name: string): void {
  const ok =
    member.kind === 'int64'
      ? DataType.isInt(type) && type.bitWidth === 64 && type.isSigned
      : member.kind === 'float64'
        ? DataType.isFloat(type) || (DataType.isInt(type) && type.bitWidth <= 32)
        : DataType.isDecimal(type) && type.scale === member.scale && type.bitWidth === 128;
  if (!ok) throw new SchemaMismatchError(name, `feature '${name}' is ${memberName(member)} in the registry but its rows hold ${String(type)}; re-materialize the view`);
}

/** `after − before` at row `j`, or null where it does not fit the member's type. */
function difference(member: Member, before: Data, after: Data, j: number): bigint | number | null {
  if (member.kind === 'decimal') {
    const d = decimalAt(after.values as Uint32Array, j) - decimalAt(before.values as Uint32Array, j);
    return d <= -DECIMAL_LIMIT || d >= DECIMAL_LIMIT ? null : d;
  }
  const a = (before.values as ArrayLike<bigint | number>)[j]!;
  const b = (after.values as ArrayLike<bigint | number>)[j]!;
  if (member.kind === 'int64') {
    const d = (b as bigint) - (a as bigint);
    return d < INT64_MIN || d > INT64_MAX ? null : d;
  }
  return Number(b) - Number(a);
}

function memberData(member: Member, values: readonly (bigint | number)[]): Data {
  const n = values.length;
  if (member.kind === 'int64') return makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(values as bigint[]) });
  if (member.kind === 'float64') return makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(values as number[]) });
  const words = new Uint32Array(n * 4);
  values.forEach((v, i) => writeDecimal(words, i, v as bigint));
  return makeData({ type: new Decimal(member.scale, 38, 128), length: n, nullCount: 0, data: words });
}

function union(fields: Field[], children: Data[], typeIds: Int8Array, offsets: Int32Array): Vector {
  const type = new DenseUnion(
    fields.map((_, k) => k),
    fields,
  );
  return makeVector(makeData({ type, length: typeIds.length, nullCount: 0, typeIds, valueOffsets: offsets, children }));
}
