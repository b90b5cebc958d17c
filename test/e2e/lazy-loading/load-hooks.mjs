// Module hooks (registered by record-loads.mjs; they run on the loader's own thread).
import { appendFileSync } from 'node:fs';

const log = process.env.ASOF_LOAD_LOG;

/** Records what each specifier resolved to, then hands it on unchanged. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
