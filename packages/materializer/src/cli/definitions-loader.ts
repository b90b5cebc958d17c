import { access } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AsofError,
  createRegistry,
  DefinitionError,
  isEntity,
  isFeatureService,
  isFeatureView,
  isSource,
  type Registry,
  type RegistryDefinition,
} from '@asof/core';

/** A definition's kind as the loader recognises it. */
const isDefinition = (value: unknown): value is RegistryDefinition =>
  isEntity(value) || isSource(value) || isFeatureView(value) || isFeatureService(value);

/**
 * Imports a definitions module (`.ts` under `pnpm asof`/tsx, `.js`/`.mjs`
 * anywhere) and builds a validated registry from every definition it
 * exports: named exports, and the members of a default-exported array or
 * object (one level deep), so both `export const spend = defineFeatureView(...)`
 * and `export default [account, spend]` work. Other exports are ignored.
 */
export async function loadDefinitions(modulePath: string, cwd: string): Promise<Registry> {
  const file = path.resolve(cwd, modulePath);
  try {
    await access(file);
  } catch {
    throw new AsofError('CONFIG', `definitions module ${file} does not exist`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new AsofError(
        'CONFIG',
        `cannot import ${file}: plain Node 20 does not run TypeScript; use 'pnpm asof' (tsx), 'node --import tsx', or compile the module to .js`,
        { cause: error },
      );
    }
    if (error instanceof AsofError) throw error; // a define* call in the module rejected its definition
    throw new AsofError('CONFIG', `cannot import definitions module ${file}: ${(error as Error).message}`, { cause: error });
  }
  const found = collectDefinitions(exports);
  if (found.length === 0) {
    throw new DefinitionError(`definitions module ${file} exports no entity, source, feature view or feature service`);
  }
  return createRegistry(...found);
}

/** Every definition among a module's exports (see {@link loadDefinitions}), each once, in export order. */
export function collectDefinitions(exports: Readonly<Record<string, unknown>>): RegistryDefinition[] {
  const out = new Set<RegistryDefinition>();
  for (const [name, value] of Object.entries(exports)) {
    if (isDefinition(value)) out.add(value);
    else if (name === 'default' && value && typeof value === 'object') {
      for (const member of Array.isArray(value) ? value : Object.values(value)) if (isDefinition(member)) out.add(member);
    }
  }
  return [...out];
}
