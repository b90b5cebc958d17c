import { DefinitionError } from '../errors.js';

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Columns every stored feature row carries besides its join keys and
 * features (DESIGN §3), so no join key or feature may take these names.
 */
export const RESERVED_COLUMNS: readonly string[] = Object.freeze(['event_ts', 'created_ts']);

/**
 * Checks a definition name. Names become column names, file-path segments
 * and the `view:feature` syntax, so they are restricted to lowercase
 * identifiers that are valid unquoted in every SQL engine we target.
 */
export function assertName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    const hint = typeof name === 'string' && name.length > 0 ? `, e.g. '${toSnakeCase(name)}'` : '';
    throw new DefinitionError(
      `${what} ${JSON.stringify(name)} is not a valid name: use lowercase letters, digits and underscores, ` +
        `starting with a letter or underscore${hint}`,
    );
  }
}

/** Checks a source column reference, which follows the source system's naming, not ours. */
export function assertColumn(column: unknown, what: string): asserts column is string {
  if (typeof column !== 'string' || column.trim().length === 0 || column !== column.trim()) {
    throw new DefinitionError(`${what} must be a column name (a non-empty string without surrounding spaces), got ${JSON.stringify(column)}`);
  }
}

/** Checks an optional description. */
export function assertDescription(description: unknown, what: string): asserts description is string | undefined {
  if (description !== undefined && typeof description !== 'string') {
    throw new DefinitionError(`${what} description must be a string`);
  }
}

/** Checks that a config argument is an object, so later checks can name the missing field. */
export function assertConfig(config: unknown, fn: string, example: string): asserts config is Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new DefinitionError(`${fn} takes one config object, e.g. ${fn}(${example})`);
  }
}

function toSnakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(snake) ? `_${snake}` : snake || 'my_name';
}
