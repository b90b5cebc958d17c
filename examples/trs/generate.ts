/**
 * Generates the TRS example data and prints row counts; with `--out`, also
 * writes the state as CSV files. Run from the repository root:
 *
 *   npx tsx --conditions=asof-source examples/trs/generate.ts \
 *     --scale 0.01 --as-of 2025-06-30T00:00:00Z --out .scratch/trs
 *
 * Options: --seed N (default 1), --scale S (default 0.01), --as-of ISO
 * (default: the end of the timeline, i.e. everything), --out DIR.
 */
import { parseArgs } from 'node:util';
import { formatMicros } from '@asof/core';
import { TRS_TABLES } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { stateAt } from './state-at.js';
import { writeTrsFiles } from './write-files.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    scale: { type: 'string', default: '0.01' },
    'as-of': { type: 'string' },
    out: { type: 'string' },
  },
});

const seed = Number(values.seed);
const scale = Number(values.scale);
const started = performance.now();
const timeline = generateTrs({ seed, scale });
const generated = performance.now();
const state = stateAt(timeline, values['as-of'] ?? BigInt(timeline.endMicros));
const snapshotted = performance.now();

console.log(`TRS seed ${seed}, scale ${scale}, as of ${formatMicros(state.asOfMicros)}`);
console.log(
  `timeline: ${timeline.accounts.count} accounts, ${timeline.skus.count} SKUs (${timeline.skus.validFrom.length} price versions), ` +
    `${timeline.invoices.count} invoices, ${timeline.lineItems.count} line items`,
);
for (const name of TRS_TABLES) console.log(`  ${name.padEnd(20)} ${String(state.tables[name].numRows).padStart(10)} rows`);
if (values.out) {
  const files = await writeTrsFiles(state, values.out);
  for (const name of TRS_TABLES) console.log(`  wrote ${files[name].path} (${(files[name].bytes / 1e6).toFixed(1)} MB)`);
}
const finished = performance.now();
const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(2);
console.log(
  `generate ${seconds(started, generated)} s, stateAt ${seconds(generated, snapshotted)} s` +
    (values.out ? `, write ${seconds(snapshotted, finished)} s` : '') +
    `; CPU ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)} s` +
    `, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
