/**
 * The SKU catalogue before any price change: when each SKU is introduced,
 * its category, first price and popularity. Most SKUs exist from the first
 * instant; the rest arrive over the first 2.5 years.
 */
import { skuDescription, skuName } from './names.js';
import { Prng } from './prng.js';
import { DAY_US, SKU_CATEGORIES, TIMELINE_END_US, TIMELINE_START_US } from './timeline.js';

/** The catalogue, sorted by introduction (so `sku_id` = index + 1 grows with it). */
export interface Catalog {
  readonly count: number;
  readonly itemName: readonly string[];
  readonly description: readonly (string | null)[];
  readonly category: Uint8Array;
  readonly introducedAt: Float64Array;
  /** The first retail price, in cents. */
  readonly basePriceCents: Int32Array;
  /** Relative popularity when a line item picks a SKU. */
  readonly popularity: Float64Array;
}

/** Generates `count` SKUs. */
export function generateCatalog(seed: number, count: number): Catalog {
  const random = new Prng(seed, 'catalog');
  const introducedAt = new Float64Array(count);
  const lateSpan = TIMELINE_END_US - 180 * DAY_US - TIMELINE_START_US;
  for (let j = 0; j < count; j++) {
    // The first quarter is certainly there from the start, so every invoice can find SKUs.
    const fromStart = j < count / 4 || random.chance(0.65);
    introducedAt[j] = fromStart ? TIMELINE_START_US : TIMELINE_START_US + 1 + Math.floor(random.next() * lateSpan);
  }
  introducedAt.sort();
  const category = new Uint8Array(count);
  const basePriceCents = new Int32Array(count);
  const popularity = new Float64Array(count);
  const itemName: string[] = [];
  const description: (string | null)[] = [];
  for (let j = 0; j < count; j++) {
    category[j] = j < SKU_CATEGORIES.length ? j : random.below(SKU_CATEGORIES.length);
    // Log-uniform between $5 and $2,500; about a third end in .99.
    const cents = Math.round(Math.exp(random.between(Math.log(500), Math.log(250_000))));
    basePriceCents[j] = random.chance(0.35) ? Math.max(99, Math.round(cents / 100) * 100 - 1) : cents;
    popularity[j] = Math.exp(random.gaussian());
    itemName.push(skuName(random, j, category[j]!));
    description.push(skuDescription(random, j));
  }
  return { count, itemName, description, category, introducedAt, basePriceCents, popularity };
}

/**
 * Draws SKUs available at an instant, either from a category or from the
 * whole catalogue, in proportion to popularity. Availability is a prefix of
 * each (introduction-sorted) list, found by binary search.
 */
export class SkuPicker {
  private readonly all: PickList;
  private readonly byCategory: PickList[];

  /** A picker over `catalog`. */
  constructor(catalog: Catalog) {
    const everything = Int32Array.from({ length: catalog.count }, (_, j) => j);
    this.all = pickList(catalog, everything);
    this.byCategory = SKU_CATEGORIES.map((_, c) =>
      pickList(catalog, everything.filter((j) => catalog.category[j] === c)),
    );
  }

  /** A SKU index available at `t` (from `category`, or any if it has none yet); -1 if none at all. */
  pick(random: Prng, t: number, category: number): number {
    const fromCategory = category >= 0 ? draw(this.byCategory[category]!, random, t) : -1;
    return fromCategory >= 0 ? fromCategory : draw(this.all, random, t);
  }
}

interface PickList {
  readonly skus: Int32Array;
  readonly introducedAt: Float64Array;
  /** cumulative[k] = popularity of skus[0..k) */
  readonly cumulative: Float64Array;
}

function pickList(catalog: Catalog, skus: Int32Array): PickList {
  const introducedAt = new Float64Array(skus.length);
  const cumulative = new Float64Array(skus.length + 1);
  skus.forEach((j, k) => {
    introducedAt[k] = catalog.introducedAt[j]!;
    cumulative[k + 1] = cumulative[k]! + catalog.popularity[j]!;
  });
  return { skus, introducedAt, cumulative };
}

function draw(list: PickList, random: Prng, t: number): number {
  const available = upperBound(list.introducedAt, t, list.introducedAt.length);
  if (available === 0) return -1;
  const x = random.next() * list.cumulative[available]!;
  // first k with cumulative[k + 1] > x
  let lo = 0;
  let hi = available - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list.cumulative[mid + 1]! > x) hi = mid;
    else lo = mid + 1;
  }
  return list.skus[lo]!;
}

/** The number of leading `values[0..n)` (sorted ascending) that are `<= x`. */
export function upperBound(values: Float64Array, x: number, n: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
