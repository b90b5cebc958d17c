/**
 * Text columns of the TRS example: company names, contact emails, SKU names
 * and descriptions. A few values carry what breaks naive pipelines: commas,
 * double quotes, apostrophes, line breaks, accented letters and a 4-byte
 * UTF-8 character (utf8mb4), so CSV quoting and character sets get tested.
 */
import type { Prng } from './prng.js';
import { SKU_CATEGORIES } from './timeline.js';

const COMPANY_STEMS = [
  'Northwind', 'Harbour', 'Redgum', 'Summit', 'Coastal', 'Blue Ridge', 'Ironbark', 'Southern Cross',
  'Parkside', 'Riverstone', 'Westgate', 'Eastlink', 'Kingsway', 'Highland', 'Lakeside', 'Sunrise',
  'Müller', 'Søndergaard', 'Nguyễn', 'Dubois', "O'Brien", 'García', 'Kowalski', 'Nakamura',
];
const COMPANY_KINDS = ['Motors', 'Auto Group', 'Cars', 'Vehicle Sales', 'Trucks', 'Automotive', 'Car Co', 'Dealership'];
const COMPANY_SUFFIXES = ['Pty Ltd', 'Ltd', 'Inc.', 'GmbH', 'LLC', 'Group', 'SARL', 'Holdings'];
/** Names that stress CSV quoting and utf8mb4, used for a few accounts. */
const AWKWARD_COMPANIES = [
  'Über 🚗 Autos',
  'Smith, Jones & Partners',
  'Hotel "Riviera" Cars',
  "D'Angelo & Sons, \"Fine Cars\"",
  'Ωmega Fleet — Sales',
];

/** A company name for account `index`; every tenth (index 3, 13, …) is an awkward one. */
export function companyName(random: Prng, index: number): string {
  if (index % 10 === 3) return AWKWARD_COMPANIES[Math.floor(index / 10) % AWKWARD_COMPANIES.length]!;
  return `${random.pick(COMPANY_STEMS)} ${random.pick(COMPANY_KINDS)} ${random.pick(COMPANY_SUFFIXES)}`;
}

/** The contact email of account `index` (revision 0 = at creation, 1 = after its change). */
export function contactEmail(company: string, index: number, revision: number): string {
  const slug =
    company
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '')
      .slice(0, 24) || 'account';
  const id = index + 1;
  return revision === 0 ? `accounts@${slug}-${id}.example.com` : `billing+${id}@${slug}-${id}.example.net`;
}

const SKU_WORDS: Record<(typeof SKU_CATEGORIES)[number], { adjectives: string[]; nouns: string[] }> = {
  listing: { adjectives: ['Standard', 'Premium', 'Featured', 'Spotlight'], nouns: ['Listing', 'Listing Boost', 'Top Spot'] },
  subscription: { adjectives: ['Dealer', 'Pro', 'Enterprise', 'Starter'], nouns: ['Subscription', 'Plan', 'Membership'] },
  advertising: { adjectives: ['Display', 'Video', 'Social', 'Search'], nouns: ['Campaign', 'Banner', 'Ad Pack'] },
  data: { adjectives: ['Market', 'Pricing', 'Valuation', 'Demand'], nouns: ['Report', 'Insights', 'Data Feed'] },
  services: { adjectives: ['Photo', 'Inspection', 'Onboarding', 'Consulting'], nouns: ['Service', 'Session', 'Package'] },
  hardware: { adjectives: ['Kiosk', 'Display', 'Tablet', 'Camera'], nouns: ['Unit', 'Kit', 'Bundle'] },
};

/** A unique item name for SKU `index` of `category` (the code at the end makes it unique). */
export function skuName(random: Prng, index: number, category: number): string {
  const name = SKU_CATEGORIES[category]!;
  const words = SKU_WORDS[name];
  const code = `${name.slice(0, 2).toUpperCase()}-${String(index + 1).padStart(4, '0')}`;
  return `${random.pick(words.adjectives)} ${random.pick(words.nouns)} ${code}`;
}

const DESCRIPTIONS = [
  'Includes setup, reporting and support.',
  'Billed per unit; volume discounts apply.',
  'Best for dealers with 10+ vehicles in stock.',
  'Runs for 30 days, renews unless cancelled.',
  'Priced in AUD, GST exclusive.',
];
const AWKWARD_DESCRIPTIONS = [
  'Contains a "quoted" word, a comma, and more.',
  'Two lines:\nfirst line, then second.',
  'Unicode: naïve café — 5 € per unit 🚀',
  'Windows line break\r\nin the middle.',
];

/**
 * The description of SKU `index` at introduction. Of every 20 SKUs one has
 * none (NULL) and four have awkward text (index 3, 8, 12, 17 mod 20), so
 * even the smallest catalogue has each case.
 */
export function skuDescription(random: Prng, index: number): string | null {
  const slot = index % 20;
  if (slot === 6) return null;
  const awkward = [3, 8, 12, 17].indexOf(slot);
  if (awkward >= 0) return AWKWARD_DESCRIPTIONS[awkward]!;
  return random.pick(DESCRIPTIONS);
}

/** The description text of a SKU version: revision 0 is the original. */
export function describeRevision(description: string | null, revision: number): string | null {
  if (description === null || revision === 0) return description;
  return `${description} (rev. ${revision})`;
}
