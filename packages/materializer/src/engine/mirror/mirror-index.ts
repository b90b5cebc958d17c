import { formatMicros, readMicrosColumn, type DataFileEntry, type OfflineSnapshot, type OfflineStore } from '@asof/core';
import { Table, type RecordBatch } from 'apache-arrow';
import { DELETED_FIELD } from './mirror-read.js';
import { deletedFlags, keyStrings, versionId } from './version-ids.js';
import { VersionKeys } from './version-keys.js';

/**
 * What a mirror append compares the changes with: the ids of the versions
 * the mirror holds (those with version time after `from`, which are all a
 * read can repeat), and, for a snapshot read, every version's key, time
 * and delete flag, from which the keys the snapshot lacks are found. Held
 * whole in memory (docs/design/materializer.md, "Bounded memory").
 */
export class MirrorIndex {
  /** Version ids (`versionId`) already mirrored. */
  readonly seen = new Set<string>();
  readonly #versions: VersionKeys | null;

  private constructor(
    private readonly pk: readonly string[],
    private readonly from: bigint | null,
    keepVersions: boolean,
  ) {
    this.#versions = keepVersions ? new VersionKeys(pk) : null;
  }

  /** Indexes `files` of a mirror snapshot. `keepVersions`: also keep each version's key, time and flag (a snapshot read needs them). */
  static async load(
    store: OfflineStore,
    snapshot: OfflineSnapshot,
    pk: readonly string[],
    options: { readonly from: bigint | null; readonly keepVersions: boolean; readonly signal?: AbortSignal },
  ): Promise<MirrorIndex> {
    const index = new MirrorIndex(pk, options.from, options.keepVersions);
    await index.add(store, snapshot, snapshot.files, options.signal);
    return index;
  }

  /** Adds the versions of some files of `snapshot` (the files a winning run added). */
  async add(store: OfflineStore, snapshot: OfflineSnapshot, files: readonly DataFileEntry[], signal?: AbortSignal): Promise<void> {
    if (files.length === 0) return;
    const range = this.from === null ? undefined : { start: formatMicros(this.from) };
    const only = files === snapshot.files ? snapshot : Object.freeze({ ...snapshot, files });
    const columns = [...this.pk, 'event_ts', DELETED_FIELD.name];
    for await (const batch of store.scan(snapshot.view, { snapshot: only, eventTimeRange: range, columns, ensureColumns: [DELETED_FIELD], signal })) {
      this.addBatch(batch, `mirror '${snapshot.view}'`);
    }
  }

  private addBatch(batch: RecordBatch, where: string): void {
    const times = readMicrosColumn(batch as unknown as Table, 'event_ts').micros;
    const keys = keyStrings(batch, this.pk, where);
    const flags = deletedFlags(batch, where, false);
    for (let i = 0; i < keys.length; i++) this.seen.add(versionId(keys[i]!, times[i]!, flags[i] === 1));
    this.#versions?.add(batch);
  }

  /** The key, time and flag of every version indexed (empty when not kept). */
  versions(): VersionKeys {
    return this.#versions ?? new VersionKeys(this.pk);
  }
}
