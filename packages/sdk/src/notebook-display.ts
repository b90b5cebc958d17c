/**
 * Rich display in Jupyter kernels, without depending on any of them.
 *
 * - tslab shows a cell's last value with `console.log`, i.e. through
 *   `util.inspect`, as text. Its rich output goes through `tslab.display`,
 *   which a cell reaches as `require('tslab')`: the kernel hooks that name
 *   in the `require` it hands cells, published as `globalThis.__tslab__`.
 *   So a value that is inspected at the top level inside a tslab cell sends
 *   its HTML there and prints nothing; anywhere else it prints its text.
 * - Deno's kernel asks a value for `[Symbol.for('Jupyter.display')]()`, a
 *   MIME bundle; {@link jupyterBundle} is that.
 */

/** The key Deno's Jupyter kernel (and others following it) looks up for a MIME bundle. */
export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');
/** Node's `util.inspect` hook. */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What a value with a rich form offers a notebook. */
export interface RichValue {
  /** The plain text form (terminals, logs, `String(value)`). */
  toString(): string;
  /** The HTML form. */
  toHTML(): string;
}

interface TslabHook {
  readonly require?: (id: string) => unknown;
}

/** tslab's `display.html` when running inside a tslab kernel, else null. */
function tslabHtml(): ((html: string) => void) | null {
  const hook = (globalThis as { __tslab__?: TslabHook }).__tslab__;
  if (typeof hook?.require !== 'function') return null;
  try {
    const display = (hook.require('tslab') as { display?: { html?: unknown } } | null)?.display;
    return typeof display?.html === 'function' ? (display.html as (html: string) => void).bind(display) : null;
  } catch {
    return null;
  }
}

/**
 * The `util.inspect` form of a rich value: at the top level inside a tslab
 * cell, its HTML is sent to the notebook and the text is empty; elsewhere
 * (nested in another value, a terminal, a log) its text.
 */
export function inspectRich(value: RichValue, depth: number | null, options: { depth?: number | null } | undefined): string {
  const topLevel = options === undefined || depth === options.depth;
  const show = topLevel ? tslabHtml() : null;
  if (show) {
    try {
      show(value.toHTML());
      return '';
    } catch {
      // tslab refuses to display outside a running cell ("Not ready"): fall back to text.
    }
  }
  return value.toString();
}

/** A Jupyter MIME bundle of a rich value: HTML, with the text for front ends that show only text. */
export function jupyterBundle(value: RichValue): Record<string, string> {
  return { 'text/plain': value.toString(), 'text/html': value.toHTML() };
}
