/**
 * SKU price history: every SKU changes 2–6 times after its introduction,
 * each change a new version with its own instant. About 30% of changes take
 * effect exactly at midnight; about 10% change only the description (same
 * price, new `updated_at`). On purpose, a few changes take effect exactly
 * at the issue instant of an invoice that buys the SKU (the new price
 * applies: validity is inclusive) and a few 1 µs after one (it does not).
 */
import type { Catalog } from './generate-catalog.js';
import type { DraftInvoices } from './generate-invoices.js';
import { Prng } from './prng.js';
import { DAY_US, TIMELINE_END_US, type SkuTruth } from './timeline.js';

/** Builds every SKU's versions (see the module comment). */
export function generatePriceVersions(seed: number, catalog: Catalog, invoices: DraftInvoices): SkuTruth {
  const random = new Prng(seed, 'price-versions');
  const skuOf: number[] = [];
  const instantOf: number[] = [];
  for (let j = 0; j < catalog.count; j++) {
    const intro = catalog.introducedAt[j]!;
    const changes = 2 + random.below(5);
    for (let c = 0; c < changes; c++) {
      let t = intro + 1 + Math.floor(random.next() * (TIMELINE_END_US - intro - 1));
      if (random.chance(0.3) && Math.floor(t / DAY_US) * DAY_US > intro) t = Math.floor(t / DAY_US) * DAY_US;
      skuOf.push(j);
      instantOf.push(t);
    }
  }
  // Changes pinned to invoice issue instants: even picks exactly at, odd picks 1 µs after.
  const pinned = Math.max(4, Math.round(invoices.count * 0.002));
  for (let p = 0; p < pinned; p++) {
    const r = random.below(invoices.lineCount);
    const j = invoices.lineSku[r]!;
    const t = invoices.issuedAt[invoices.lineInvoice[r]!]! + (p % 2);
    if (t > catalog.introducedAt[j]! && t < TIMELINE_END_US) {
      skuOf.push(j);
      instantOf.push(t);
    }
  }

  const order = Int32Array.from({ length: skuOf.length }, (_, k) => k).sort(
    (x, y) => skuOf[x]! - skuOf[y]! || instantOf[x]! - instantOf[y]!,
  );
  const versionStart = new Int32Array(catalog.count + 1);
  const validFrom: number[] = [];
  const priceCents: number[] = [];
  const revision: number[] = [];
  let next = 0;
  for (let j = 0; j < catalog.count; j++) {
    versionStart[j] = validFrom.length;
    validFrom.push(catalog.introducedAt[j]!);
    priceCents.push(catalog.basePriceCents[j]!);
    revision.push(0);
    for (; next < order.length && skuOf[order[next]!] === j; next++) {
      const t = instantOf[order[next]!]!;
      if (t === validFrom.at(-1)) continue; // two changes at one instant are one change
      const previous = priceCents.at(-1)!;
      const descriptionOnly = random.chance(0.1);
      validFrom.push(t);
      priceCents.push(descriptionOnly ? previous : newPrice(random, previous));
      revision.push(descriptionOnly ? revision.at(-1)! + 1 : revision.at(-1)!);
    }
  }
  versionStart[catalog.count] = validFrom.length;
  return {
    count: catalog.count,
    itemName: catalog.itemName,
    description: catalog.description,
    category: catalog.category,
    versionStart,
    validFrom: Float64Array.from(validFrom),
    priceCents: Int32Array.from(priceCents),
    descriptionRevision: Uint16Array.from(revision),
  };
}

/** A price 20% lower to 25% higher, in whole cents, never equal to the old one. */
function newPrice(random: Prng, previous: number): number {
  let cents = Math.round(previous * random.between(0.8, 1.25));
  if (random.chance(0.35)) cents = Math.round(cents / 100) * 100 - 1;
  cents = Math.max(99, cents);
  return cents === previous ? previous + 1 : cents;
}

/** The version of SKU `j` in force at `t` (the last with `validFrom <= t`), or -1 before its introduction. */
export function versionAt(skus: SkuTruth, j: number, t: number): number {
  let lo = skus.versionStart[j]!;
  let hi = skus.versionStart[j + 1]!;
  if (skus.validFrom[lo]! > t) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (skus.validFrom[mid]! <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}
