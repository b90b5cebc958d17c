/**
 * Runs every benchmark in bench/ (each `*.ts` file here; helpers live in
 * bench/lib/), each in its own Node process, and prints one table.
 * Arguments are passed through: `pnpm bench --quick`, `pnpm bench pit-join --spine 1M`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, runChild, type BenchResult } from './lib/common.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2).filter((a) => a !== '--');
const only = argv.filter((a) => !a.startsWith('--') && !/^\d/.test(a));
const passArgs = argv.filter((a) => !only.includes(a));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.ts')))
  .sort();
if (benches.length === 0) throw new Error(`no benchmark matches ${only.join(', ')}`);

process.env.BENCH_CHILD = '1';
const results: BenchResult[] = [];
let failed = false;
for (const file of benches) {
  try {
    results.push(...(await runChild(join(here, file), passArgs)).results);
  } catch (error) {
    failed = true;
    console.error(`${file}: ${(error as Error).message}`);
  }
}
console.log('\n' + formatTable(results));
if (failed) process.exitCode = 1;
