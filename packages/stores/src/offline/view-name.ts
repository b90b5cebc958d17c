import { InvalidInputError } from '@asof/core';

const VIEW = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** View names become path segments: letters, digits, `_`, `-`, `.`, not starting with `.` or `-`. */
export function assertViewName(view: string): void {
  if (typeof view !== 'string' || !VIEW.test(view) || view.length > 200) {
    throw new InvalidInputError(`invalid view name ${JSON.stringify(view)}: use letters, digits, '_', '-' and '.', starting with a letter, digit or '_'`);
  }
}
