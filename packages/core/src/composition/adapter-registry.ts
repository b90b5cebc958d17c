import { AsofError, InvalidInputError } from '../errors.js';
import type { AdapterDescriptor, AdapterKind, AdapterKinds } from './adapter.js';

/** How a caller names what a URL is for, in messages. */
export interface ResolveOptions {
  /** What the URL is for, e.g. `offline store root`, `export target` (default: the kind's name). */
  readonly what?: string;
  /** Values the caller accepts besides the adapters' forms, listed after them (e.g. `none`). */
  readonly also?: readonly string[];
}

const KIND_NAMES: Readonly<Record<AdapterKind, string>> = {
  objects: 'object store root',
  online: 'online store',
  coordinator: 'commit coordinator',
  source: 'source',
};

/**
 * The one table from a URL scheme to its adapter. Each {@link AdapterDescriptor}
 * is a line; a URL with a registered scheme goes to the adapter registered
 * for it and the kind asked for, a plain path to the adapter that takes
 * paths (scheme `''`). Anything else is a `CONFIG` error that names the URL
 * (its password masked) and lists the forms the kind takes. Opening loads
 * the adapter's implementation then, never before.
 */
export class AdapterRegistry<S> {
  /** The registered adapters, in registration order (the order forms are listed in). */
  readonly adapters: readonly AdapterDescriptor<S>[];

  constructor(adapters: readonly AdapterDescriptor<S>[]) {
    const claimed = new Map<string, string>();
    for (const adapter of adapters) {
      for (const scheme of adapter.schemes) {
        if (scheme !== '' && !/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
          throw new InvalidInputError(`adapter '${adapter.name}': scheme ${JSON.stringify(scheme)} must be lowercase letters, digits, '+', '.' or '-' without the colon (or '' for plain paths)`);
        }
        for (const kind of Object.keys(adapter.kinds) as AdapterKind[]) {
          const other = claimed.get(`${kind} ${scheme}`);
          if (other !== undefined) {
            throw new InvalidInputError(`adapters '${other}' and '${adapter.name}' both open ${scheme === '' ? 'plain paths' : `${scheme}:`} as ${KIND_NAMES[kind]}; register one of them`);
          }
          claimed.set(`${kind} ${scheme}`, adapter.name);
        }
      }
    }
    this.adapters = Object.freeze([...adapters]);
  }

  /** A registry with these adapters added (e.g. the materializer's sources on top of the stores). */
  with(...more: readonly AdapterDescriptor<S>[]): AdapterRegistry<S> {
    return new AdapterRegistry([...this.adapters, ...more]);
  }

  /** The address forms `kind` takes, in registration order: `['lmdb:<dir>', 'dynamodb://<table>']`. */
  forms(kind: AdapterKind): string[] {
    return [...new Set(this.adapters.flatMap((a) => a.kinds[kind]?.forms ?? []))];
  }

  /**
   * The adapter that opens `url` as `kind`. A scheme no adapter knows and
   * without `//` is a relative path (`store:v2`) where some adapter takes
   * paths; a scheme an adapter knows for another kind (`lmdb:` as a root)
   * is an error, never a directory of that name.
   */
  resolve(kind: AdapterKind, url: string, options: ResolveOptions = {}): AdapterDescriptor<S> {
    const what = options.what ?? KIND_NAMES[kind];
    const accepted = orList([...this.forms(kind), ...(options.also ?? [])]) || `anything (no ${KIND_NAMES[kind]} adapter is registered)`;
    if (typeof url !== 'string' || url.trim() === '') throw new AsofError('CONFIG', `${what} is empty: use ${accepted}`);
    const scheme = schemeOf(url);
    const taking = (s: string) => this.adapters.find((a) => a.kinds[kind] !== undefined && a.schemes.includes(s));
    let adapter = scheme === null ? undefined : taking(scheme);
    const plainPath = scheme === null || (!url.slice(scheme.length + 1).startsWith('//') && !this.adapters.some((a) => a.schemes.includes(scheme)));
    if (!adapter && plainPath) adapter = taking('');
    if (!adapter) throw new AsofError('CONFIG', `${what} ${JSON.stringify(redactUrl(url))} is not ${accepted}`);
    return adapter;
  }

  /** Opens `url` as `kind` with the adapter {@link resolve} picks; rejects (never throws) on a bad URL. */
  async open<K extends AdapterKind>(kind: K, url: string, settings: S, options: ResolveOptions = {}): Promise<AdapterKinds[K]> {
    const opener = this.resolve(kind, url, options).kinds[kind]!;
    return opener.open(url, settings);
  }
}

/** The scheme of a URL, lowercase without the colon (`s3`), or `null` for a plain path. */
export function schemeOf(url: string): string | null {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]!.toLowerCase() ?? null;
}

/** `url` as it may be printed: a password in it (`mysql://user:secret@host`) becomes `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i, '$1:***@');
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
