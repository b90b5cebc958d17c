/**
 * The `asof` CLI as the workspace runs it (`pnpm asof …`, `pnpm demo`,
 * `pnpm example:load`): the materializer's CLI with the pipeline plugged
 * in, plus the TRS example for `asof demo` and `asof example load`. The
 * published binary is the same minus the example data.
 */
import { createPipeline, runCliProcess, type ExampleLoader } from '@asof/materializer';
import { runTrsDemo } from './trs/demo.js';

// Imported when `asof example load` runs, so other commands never load the MySQL driver it writes with.
const loadExample: ExampleLoader = async (request, hooks) => (await import('./trs/load-example.js')).loadTrsExample(request, hooks);

// pnpm runs workspace scripts from the workspace root; relative paths mean what they meant where the user typed them.
await runCliProcess({ pipeline: createPipeline({ demo: runTrsDemo, loadExample }), cwd: process.env.INIT_CWD ?? process.cwd() });
