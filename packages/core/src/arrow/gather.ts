import { DataType, makeBuilder, makeData, makeVector, type Data, type Vector } from 'apache-arrow';
import { packBits } from './time-column.js';

/**
 * Takes rows of a vector by index into a new single-chunk vector: output
 * row `i` is input row `take[i]`, or null where `take[i] < 0`. Fixed-width,
 * boolean, UTF-8/binary and dictionary columns are copied buffer to buffer;
 * other types (lists, structs) go through a builder.
 */
export function gather(vector: Vector, take: Int32Array): Vector {
  const type = vector.type as DataType;
  const data = vector.data.length === 1 ? vector.data[0]! : null;
  if (isFixedWidth(type)) return gatherFixed(vector, take);
  if (DataType.isBool(type)) return gatherBool(vector, take);
  if (data && (DataType.isUtf8(type) || DataType.isBinary(type))) return gatherVariable(data, take);
  if (DataType.isDictionary(type) && sharesDictionary(vector)) return gatherDictionary(vector, take);
  if (DataType.isList(type)) return gatherList(vector, take);
  return gatherGeneric(vector, take);
}

function isFixedWidth(type: DataType): boolean {
  return (
    DataType.isInt(type) ||
    DataType.isFloat(type) ||
    DataType.isTimestamp(type) ||
    DataType.isDate(type) ||
    DataType.isTime(type) ||
    DataType.isDecimal(type) ||
    DataType.isDuration(type)
  );
}

/** Values per row in the `values` typed array (Decimal128 is four 32-bit words). */
function strideOf(data: Data): number {
  return DataType.isDecimal(data.type) ? data.type.bitWidth / 32 : data.stride;
}

/**
 * Visits each taken row that holds a value (`out` row `i`, its chunk's data
 * and its index there) and returns the output's validity: shared by the
 * gathers that copy values out of fixed-size slots.
 */
function visitTaken(vector: Vector, take: Int32Array, visit: (i: number, data: Data, local: number) => void): { valid: Uint8Array; nulls: number } {
  const chunks = vector.data;
  const locate = chunkLocator(chunks);
  const valid = new Uint8Array(take.length);
  let nulls = 0;
  for (let i = 0; i < take.length; i++) {
    const j = take[i]!;
    if (j < 0) {
      nulls++;
      continue;
    }
    const c = locate(j);
    const data = chunks[c.chunk]!;
    const local = j - c.start;
    if (data.nullCount > 0 && !data.getValid(local)) {
      nulls++;
      continue;
    }
    valid[i] = 1;
    visit(i, data, local);
  }
  return { valid, nulls };
}

function gatherFixed(vector: Vector, take: Int32Array): Vector {
  const first = vector.data[0]!;
  const stride = strideOf(first);
  const n = take.length;
  const Ctor = (first.values as { constructor: new (n: number) => ArrayLike<unknown> }).constructor;
  const out = new Ctor(n * stride) as unknown as { [i: number]: unknown };
  const { valid, nulls } = visitTaken(vector, take, (i, data, local) => {
    const values = data.values as unknown as { [i: number]: unknown };
    if (stride === 1) out[i] = values[local];
    else for (let s = 0; s < stride; s++) out[i * stride + s] = values[local * stride + s];
  });
  return makeVector(
    makeData({ type: first.type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? packBits(valid) : undefined, data: out as never } as never),
  );
}

function gatherBool(vector: Vector, take: Int32Array): Vector {
  const n = take.length;
  const bits = new Uint8Array(((n + 63) & ~63) >> 3);
  const { valid, nulls } = visitTaken(vector, take, (i, data, local) => {
    const bit = data.offset + local;
    if ((data.values as Uint8Array)[bit >> 3]! & (1 << (bit & 7))) bits[i >> 3]! |= 1 << (i & 7);
  });
  return makeVector(
    makeData({ type: vector.data[0]!.type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? packBits(valid) : undefined, data: bits } as never),
  );
}

function gatherVariable(data: Data, take: Int32Array): Vector {
  const n = take.length;
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const outOffsets = new Int32Array(n + 1);
  const valid = new Uint8Array(n);
  let total = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const j = take[i]!;
    if (j >= 0 && (data.nullCount === 0 || data.getValid(j))) {
      valid[i] = 1;
      total += offsets[j + 1]! - offsets[j]!;
    } else nulls++;
    outOffsets[i + 1] = total;
  }
  const outBytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    const j = take[i]!;
    outBytes.set(bytes.subarray(offsets[j]!, offsets[j + 1]!), outOffsets[i]!);
  }
  return makeVector(
    makeData({
      type: data.type,
      length: n,
      nullCount: nulls,
      nullBitmap: nulls > 0 ? packBits(valid) : undefined,
      valueOffsets: outOffsets,
      data: outBytes,
    } as never),
  );
}

function sharesDictionary(vector: Vector): boolean {
  const first = vector.data[0]?.dictionary;
  return vector.data.every((d) => d.dictionary === first);
}

function gatherDictionary(vector: Vector, take: Int32Array): Vector {
  const indices = makeVector(vector.data.map((d) => d.clone(d.type.indices)));
  const gathered = gatherFixed(indices, take).data[0]!;
  return makeVector(
    makeData({
      type: vector.type,
      length: gathered.length,
      nullCount: gathered.nullCount,
      nullBitmap: gathered.nullBitmap,
      data: gathered.values,
      dictionary: vector.data[0]!.dictionary,
    } as never),
  );
}

/** Lists: gather the offsets, then the child values they cover (recursively, so any item type works). */
function gatherList(vector: Vector, take: Int32Array): Vector {
  const chunks = vector.data;
  // Child index base of each chunk once its children are viewed as one vector.
  const base = new Map<Data, number>();
  let total = 0;
  for (const d of chunks) {
    base.set(d, total);
    total += d.children[0]!.length;
  }
  const n = take.length;
  const offsets = new Int32Array(n + 1);
  const childTake: number[] = [];
  let filled = 0;
  const { valid, nulls } = visitTaken(vector, take, (i, data, local) => {
    for (let k = filled + 1; k <= i; k++) offsets[k] = childTake.length;
    const from = base.get(data)!;
    for (let k = data.valueOffsets[local]!; k < data.valueOffsets[local + 1]!; k++) childTake.push(from + k);
    offsets[i + 1] = childTake.length;
    filled = i + 1;
  });
  for (let k = filled + 1; k <= n; k++) offsets[k] = childTake.length;
  const child = gather(makeVector(chunks.map((d) => d.children[0]!)), Int32Array.from(childTake));
  return makeVector(
    makeData({
      type: chunks[0]!.type,
      length: n,
      nullCount: nulls,
      nullBitmap: nulls > 0 ? packBits(valid) : undefined,
      valueOffsets: offsets,
      child: child.data[0]!,
    } as never),
  );
}

function gatherGeneric(vector: Vector, take: Int32Array): Vector {
  const builder = makeBuilder({ type: vector.type, nullValues: [null, undefined] });
  for (let i = 0; i < take.length; i++) {
    const j = take[i]!;
    builder.append(j < 0 ? null : vector.get(j));
  }
  return makeVector(builder.finish().flush());
}

/** Maps a global row index to its chunk; fast path for one chunk. */
function chunkLocator(chunks: readonly Data[]): (row: number) => { chunk: number; start: number } {
  if (chunks.length === 1) {
    const only = { chunk: 0, start: 0 };
    return () => only;
  }
  const starts = new Float64Array(chunks.length + 1);
  chunks.forEach((d, i) => (starts[i + 1] = starts[i]! + d.length));
  const hit = { chunk: 0, start: 0 };
  return (row) => {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    hit.chunk = lo;
    hit.start = starts[lo]!;
    return hit;
  };
}
