import { DataType, type Data, type Table, type Vector } from 'apache-arrow';
import { InvalidInputError } from '../errors.js';

/** How a key column compares: integers by value (any width), strings by text. */
export type KeyKind = 'int' | 'string';

/** Row id `-1` in an encoded key column: a null key, or (lookups) a key never seen. */
export const NO_KEY = -1;

/** Composite ids stay below 2^26 per level, so `prev * 2^26 + next` is an exact double. */
const LEVEL = 2 ** 26;

/**
 * Assigns dense integer ids to join-key tuples across several tables, so
 * that equal keys get equal ids whichever table they come from. Integer
 * columns of any width compare by value (an Int32 `7` equals an Int64 `7n`);
 * strings by content (plain or dictionary-encoded). Hot path: int64 keys are
 * hashed from their two 32-bit halves, never materialised as `bigint`.
 */
export class KeyDictionary {
  private kinds: KeyKind[] | null = null;
  private readonly columns: (IntDict | Map<string, number>)[] = [];
  private readonly levels: Map<number, number>[] = [];

  /** Number of distinct key tuples inserted so far; ids are `0 .. count - 1`. */
  get count(): number {
    const last = this.levels.length > 0 ? this.levels[this.levels.length - 1] : this.columns[0];
    return last?.size ?? 0;
  }

  /**
   * Encodes `table`'s key columns to one id per row. With `insert`, unseen
   * keys get new ids; without, they get {@link NO_KEY}. Null in any key
   * column gives {@link NO_KEY}: a null key matches nothing.
   */
  encode(table: Table, keys: readonly string[], { insert }: { insert: boolean }, role = 'table'): Int32Array {
    const vectors = keys.map((k) => {
      const v = table.getChild(k);
      if (!v) {
        throw new InvalidInputError(
          `join key '${k}' not found in the ${role}; it has ${table.schema.fields.map((f) => f.name).join(', ') || 'no columns'}`,
        );
      }
      return v;
    });
    const kinds = vectors.map((v, i) => keyKind(v.type, keys[i]!, role));
    this.checkKinds(kinds, keys, role);
    let ids: Int32Array | null = null;
    for (let c = 0; c < vectors.length; c++) {
      const col = encodeColumn(this.column(c, kinds[c]!), vectors[c]!, insert);
      if (ids === null) ids = col;
      else ids = this.combine(c - 1, ids, col, insert);
    }
    if (ids === null) throw new InvalidInputError('a join needs at least one key column');
    return ids;
  }

  private checkKinds(kinds: KeyKind[], keys: readonly string[], role: string): void {
    const known = this.kinds;
    if (known === null) {
      this.kinds = kinds;
      return;
    }
    if (known.length !== kinds.length) {
      throw new InvalidInputError(`the ${role} has ${kinds.length} join keys, expected ${known.length}`);
    }
    kinds.forEach((k, i) => {
      if (k !== known[i]) {
        throw new InvalidInputError(
          `join key '${keys[i]}' is ${k === 'int' ? 'an integer' : 'a string'} in the ${role} but ${
            known[i] === 'int' ? 'an integer' : 'a string'
          } elsewhere; cast it so both sides have the same key type`,
        );
      }
    });
  }

  private column(c: number, kind: KeyKind): IntDict | Map<string, number> {
    this.columns[c] ??= kind === 'int' ? new IntDict() : new Map<string, number>();
    return this.columns[c]!;
  }

  private combine(level: number, left: Int32Array, right: Int32Array, insert: boolean): Int32Array {
    const map = (this.levels[level] ??= new Map());
    const out = new Int32Array(left.length);
    for (let i = 0; i < left.length; i++) {
      const a = left[i]!;
      const b = right[i]!;
      if (a < 0 || b < 0) {
        out[i] = NO_KEY;
        continue;
      }
      const composite = a * LEVEL + b;
      let id = map.get(composite);
      if (id === undefined) {
        if (!insert) {
          out[i] = NO_KEY;
          continue;
        }
        id = map.size;
        if (id >= LEVEL) throw new InvalidInputError(`more than ${LEVEL} distinct composite keys in one join`);
        map.set(composite, id);
      }
      out[i] = id;
    }
    return out;
  }
}

/** How a column of this type compares as a key; an {@link InvalidInputError} for types that cannot be keys. */
export function keyKind(type: DataType, name: string, role: string): KeyKind {
  if (DataType.isInt(type)) return 'int';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string';
  if (DataType.isDictionary(type) && (DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary))) return 'string';
  throw new InvalidInputError(
    `join key '${name}' in the ${role} has type ${String(type)}; join keys must be integers or strings`,
  );
}

function encodeColumn(dict: IntDict | Map<string, number>, vector: Vector, insert: boolean): Int32Array {
  const out = new Int32Array(vector.length);
  let pos = 0;
  for (const data of vector.data) {
    if (dict instanceof IntDict) encodeInts(dict, data, out, pos, insert);
    else encodeStrings(dict, data, out, pos, insert);
    pos += data.length;
  }
  return out;
}

function encodeInts(dict: IntDict, data: Data, out: Int32Array, pos: number, insert: boolean): void {
  const values = data.values as ArrayLike<number | bigint> & ArrayBufferView;
  const len = data.length;
  const hasNulls = data.nullCount > 0;
  const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
  const halves = wide ? new Int32Array(values.buffer, values.byteOffset, len * 2) : null;
  const unsigned64 = values instanceof BigUint64Array;
  const unsigned = values instanceof Uint32Array || values instanceof Uint16Array || values instanceof Uint8Array;
  for (let i = 0; i < len; i++) {
    if (hasNulls && !data.getValid(i)) {
      out[pos + i] = NO_KEY;
      continue;
    }
    let lo: number;
    let hi: number;
    let tag = 0;
    if (halves) {
      lo = halves[2 * i]!;
      hi = halves[2 * i + 1]!;
      // A Uint64 at or above 2^63 has the bits of a negative Int64 but equals no Int64.
      if (unsigned64 && hi < 0) tag = 1;
    } else {
      const v = (values as ArrayLike<number>)[i]!;
      lo = v | 0;
      hi = unsigned ? 0 : v < 0 ? -1 : 0;
    }
    out[pos + i] = insert ? dict.getOrInsert(lo, hi, tag) : dict.get(lo, hi, tag);
  }
}

function encodeStrings(dict: Map<string, number>, data: Data, out: Int32Array, pos: number, insert: boolean): void {
  const len = data.length;
  const lookup = (s: string): number => {
    let id = dict.get(s);
    if (id === undefined) {
      if (!insert) return NO_KEY;
      id = dict.size;
      dict.set(s, id);
    }
    return id;
  };
  if (DataType.isDictionary(data.type)) {
    const dictionary = data.dictionary!;
    const ids = new Int32Array(dictionary.length);
    for (let j = 0; j < dictionary.length; j++) {
      const s = dictionary.get(j) as string | null;
      ids[j] = s === null ? NO_KEY : lookup(s);
    }
    const indices = data.values as ArrayLike<number>;
    for (let i = 0; i < len; i++) out[pos + i] = data.getValid(i) ? ids[Number(indices[i])]! : NO_KEY;
    return;
  }
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const decoder = new TextDecoder();
  for (let i = 0; i < len; i++) {
    if (!data.getValid(i)) {
      out[pos + i] = NO_KEY;
      continue;
    }
    out[pos + i] = lookup(decoder.decode(bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]))));
  }
}

/**
 * Open-addressing hash of 64-bit integers given as (lo, hi) 32-bit halves,
 * plus a tag bit that tells unsigned values >= 2^63 from negative ones.
 */
class IntDict {
  size = 0;
  private mask = 1023;
  private lo = new Int32Array(1024);
  private hi = new Int32Array(1024);
  private tags = new Uint8Array(1024);
  private ids = new Int32Array(1024).fill(-1);

  get(lo: number, hi: number, tag: number): number {
    let slot = hash(lo, hi ^ tag) & this.mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id < 0) return NO_KEY;
      if (this.lo[slot] === lo && this.hi[slot] === hi && this.tags[slot] === tag) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  getOrInsert(lo: number, hi: number, tag: number): number {
    let slot = hash(lo, hi ^ tag) & this.mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id < 0) break;
      if (this.lo[slot] === lo && this.hi[slot] === hi && this.tags[slot] === tag) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    this.lo[slot] = lo;
    this.hi[slot] = hi;
    this.tags[slot] = tag;
    this.ids[slot] = id;
    if (this.size * 2 > this.mask) this.grow();
    return id;
  }

  private grow(): void {
    const { lo, hi, tags, ids } = this;
    const capacity = (this.mask + 1) * 2;
    this.mask = capacity - 1;
    this.lo = new Int32Array(capacity);
    this.hi = new Int32Array(capacity);
    this.tags = new Uint8Array(capacity);
    this.ids = new Int32Array(capacity).fill(-1);
    for (let s = 0; s < ids.length; s++) {
      if (ids[s]! < 0) continue;
      let slot = hash(lo[s]!, hi[s]! ^ tags[s]!) & this.mask;
      while (this.ids[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.lo[slot] = lo[s]!;
      this.hi[slot] = hi[s]!;
      this.tags[slot] = tags[s]!;
      this.ids[slot] = ids[s]!;
    }
  }
}

/** A 32-bit mix of two 32-bit halves (murmur3's finalizer). */
export function hash(lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
