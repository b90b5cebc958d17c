// `node --import ./record-loads.mjs …`: appends to $ASOF_LOAD_LOG the URL of
// every module the process resolves (through the ESM loader, as asof's own
// modules import everything), and at exit every module in the CommonJS
// cache (what `require` loaded inside packages), one per line.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.ASOF_LOAD_LOG;
if (!log) throw new Error('record-loads.mjs needs ASOF_LOAD_LOG (the file to append loaded module URLs to)');
register('./load-hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(log, Object.keys(require.cache).map((file) => `${file}\n`).join('')));
