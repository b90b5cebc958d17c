import { InvalidInputError } from '@asof/core';

const VIEW = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** View names become path segments: letters, digits, `_`, `-`, `.`, not starting with `.` or `-`. */
export function assertViewName(view: string): void {
  if (typeof view !== 'string' || !VIEW.test(view) || view.length > 200) {
    throw new InvalidInputError(`invalid view name ${JSON.stringify(view)}: use letters, digits, '_', '-' and '.', starting with a letter, digit or '_'`);
  }
}

/**
 * Whether a table of the store is internal to asof rather than a feature
 * view: source mirrors (`_source.<name>`) and the root's own records
 * (`_meta.<name>`). Feature view names cannot contain a `.`.
 */
export function isInternalTable(name: string): boolean {
  return name.startsWith('_source.') || name.startsWith('_meta.');
}
