/**
 * The mirror stage on its own, fed by a hand-made capture (what a change
 * stream will hand it: row versions with `_asof_deleted`, its own
 * positions) and by snapshot reads: what it appends, what it skips, the
 * deletes a snapshot implies, and what it refuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bool,
  int64,
  InvalidInputError,
  mysqlTable,
  rowsToTable,
  string,
  tableToRows,
  timestamp,
  TOMBSTONE_COLUMN,
  type CapturePosition,
  type ChangeBatch,
  type JsRow,
  type OfflineStore,
  type SourceChanges,
} from '@asof/core';
import { LocalObjectStore, openOfflineStore } from '@asof/stores';
import { beforeFirstLogWrite } from '../../../../stores/src/testing/fixtures.js';
import { afterAll, describe, expect, it } from 'vitest';
import { latestVersions } from '../compute/latest-versions.js';
import { appendChanges } from './mirror-append.js';
import { mirrorName, readMirror } from './mirror-read.js';

const US = 1_000_000n;
const T0 = 1_714_521_600_000_000n; // 2024-05-01T00:00:00Z
const columns = { id: int64(), name: string(), updated_at: timestamp() };
const items = mysqlTable({ name: 'items', table: 'items', primaryKey: ['id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns });

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function freshStore(): OfflineStore {
  return openOfflineStore({ root: freshRoot() });
}
function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'asof-mirror-'));
  roots.push(root);
  return root;
}

/** Row versions as a capture delivers them (the delete flag set on every row unless `flag` is false). */
function versions(rows: readonly JsRow[], flag = true): ChangeBatch {
  const all = rows.map((r) => ({ name: null, ...r, ...(flag ? { [TOMBSTONE_COLUMN]: TOMBSTONE_COLUMN in r ? r[TOMBSTONE_COLUMN] : false } : {}) }));
  return { kind: 'versions', rows: rowsToTable(all, { ...columns, ...(flag ? { [TOMBSTONE_COLUMN]: bool() } : {}) }, [...Object.keys(columns), ...(flag ? [TOMBSTONE_COLUMN] : [])]).batches[0]! };
}

/** A hand-made capture's changes: `items` in order, position `{ offset }` (as a stream's would be). */
function changes(kind: 'snapshot' | 'changes', list: readonly ChangeBatch[], offset = 1): SourceChanges & { reads: number } {
  const out = {
    source: items,
    kind,
    versionsAfter: null,
    reads: 0,
    async *read() {
      out.reads++;
      yield* list;
    },
    position: (recorded: CapturePosition | null) => ({ offset: Math.max(offset, (recorded as { offset?: number } | null)?.offset ?? 0) }),
  };
  return out;
}

/** The mirror as `[id, name, version time (s after T0), deleted]`, in mirror order. */
async function mirrored(store: OfflineStore): Promise<[bigint, unknown, number, unknown][]> {
  const table = await readMirror(store, items);
  return table ? tableToRows(table).map((r) => [r.id as bigint, r.name, Number(((r.event_ts as { micros: bigint }).micros - T0) / US), r[TOMBSTONE_COLUMN]]) : [];
}

/** The ids alive at `at` (seconds after T0), by the mirror. */
async function alive(store: OfflineStore, at: number): Promise<bigint[]> {
  return tableToRows(latestVersions((await readMirror(store, items))!, items, T0 + BigInt(at) * US)).map((r) => r.id as bigint);
}

describe('the mirror stage (appendChanges)', () => {
  it('appends the versions the mirror lacks and records the watermark and the capture position; the same changes again add nothing', async () => {
    const store = freshStore();
    const first = await appendChanges(store, changes('changes', [versions([{ id: 1n, name: 'a', updated_at: T0 + US }, { id: 2n, name: 'b', updated_at: T0 + 2n * US }])], 7));
    expect(first).toMatchObject({ versionsAdded: 2, deletesAdded: 0, watermark: T0 + 2n * US, position: { offset: 7 }, commit: { version: 1 } });
    expect((await store.snapshot(mirrorName(items))).watermark).toEqual({ versionTime: String(T0 + 2n * US), position: { offset: 7 } });
    const again = await appendChanges(store, changes('changes', [versions([{ id: 2n, name: 'b', updated_at: T0 + 2n * US }])], 8));
    expect(again).toMatchObject({ rowsRead: 1, versionsAdded: 0, commit: null, position: { offset: 7 } });
  });

  it('mirrors a delete a capture delivers as a version of its own (also at the instant of a version of the key), so the key is gone from then on', async () => {
    const store = freshStore();
    await appendChanges(store, changes('changes', [versions([{ id: 1n, name: 'a', updated_at: T0 + US }, { id: 2n, name: 'b', updated_at: T0 + US }])]));
    const deleted = await appendChanges(store, changes('changes', [versions([{ id: 1n, updated_at: T0 + 5n * US, [TOMBSTONE_COLUMN]: true }, { id: 2n, updated_at: T0 + US, [TOMBSTONE_COLUMN]: true }])]));
    expect(deleted).toMatchObject({ versionsAdded: 0, deletesAdded: 2, watermark: T0 + 5n * US });
    expect(await mirrored(store)).toEqual([
      [1n, 'a', 1, false],
      [2n, 'b', 1, false],
      [1n, null, 5, true],
      [2n, null, 1, true],
    ]);
    expect(await alive(store, 4)).toEqual([1n]); // 2 was deleted at the instant of its version: the delete, written later, wins
    expect(await alive(store, 5)).toEqual([]);
    const replay = await appendChanges(store, changes('changes', [versions([{ id: 1n, updated_at: T0 + 5n * US, [TOMBSTONE_COLUMN]: true }])]));
    expect(replay.deletesAdded).toBe(0);
  });

  it('after a snapshot read, deletes every key it lacks whose latest version is alive, dated max(snapshot time, that version): a delete is never older than what it deletes', async () => {
    const store = freshStore();
    const rows = [1n, 2n, 3n, 4n].map((id) => ({ id, name: `n${id}`, updated_at: T0 + (id === 4n ? 100n : 1n) * US }));
    await appendChanges(store, changes('snapshot', [versions(rows), { kind: 'snapshot-end', at: T0 + 10n * US }]));
    await appendChanges(store, changes('changes', [versions([{ id: 3n, updated_at: T0 + 2n * US, [TOMBSTONE_COLUMN]: true }])]));
    // A snapshot at second 50 shows only key 1: 2 and 4 are gone (3 is already deleted); 4's version (second 100) is newer than the snapshot.
    const result = await appendChanges(store, changes('snapshot', [versions([rows[0]!]), { kind: 'snapshot-end', at: T0 + 50n * US }]));
    expect(result).toMatchObject({ versionsAdded: 0, deletesAdded: 2, shadowedByDeletes: 0, watermark: T0 + 100n * US });
    expect((await mirrored(store)).filter(([, , , d]) => d === true)).toEqual([
      [3n, null, 2, true],
      [2n, null, 50, true],
      [4n, null, 100, true],
    ]);
    expect(await alive(store, 100)).toEqual([1n]);
    const again = await appendChanges(store, changes('snapshot', [versions([rows[0]!]), { kind: 'snapshot-end', at: T0 + 60n * US }]));
    expect(again).toMatchObject({ deletesAdded: 0, commit: null });
  });

  it('infers nothing when the source vouches for no instant, or the read never reaches its snapshot-end', async () => {
    const store = freshStore();
    const rows = [1n, 2n].map((id) => ({ id, name: 'x', updated_at: T0 + US }));
    await appendChanges(store, changes('snapshot', [versions(rows), { kind: 'snapshot-end', at: null }]));
    expect((await appendChanges(store, changes('snapshot', [versions([rows[0]!]), { kind: 'snapshot-end', at: null }]))).deletesAdded).toBe(0);
    expect((await appendChanges(store, changes('snapshot', [versions([rows[0]!])]))).deletesAdded).toBe(0);
    expect(await alive(store, 10)).toEqual([1n, 2n]);
  });

  it('counts, and keeps deleted, a key a snapshot shows again with a version no newer than its recorded delete', async () => {
    const store = freshStore();
    await appendChanges(store, changes('changes', [versions([{ id: 1n, name: 'a', updated_at: T0 + US }, { id: 1n, updated_at: T0 + 9n * US, [TOMBSTONE_COLUMN]: true }])]));
    const shadowed = await appendChanges(store, changes('snapshot', [versions([{ id: 1n, name: 'back', updated_at: T0 + 5n * US }]), { kind: 'snapshot-end', at: T0 + 20n * US }]));
    expect(shadowed).toMatchObject({ versionsAdded: 1, deletesAdded: 0, shadowedByDeletes: 1 });
    expect(await alive(store, 20)).toEqual([]);
    const back = await appendChanges(store, changes('snapshot', [versions([{ id: 1n, name: 'later', updated_at: T0 + 30n * US }]), { kind: 'snapshot-end', at: T0 + 40n * US }]));
    expect(back).toMatchObject({ versionsAdded: 1, shadowedByDeletes: 0 });
    expect(await alive(store, 40)).toEqual([1n]);
  });

  it('reads mirror files written before deletes existed (no _asof_deleted) as not deleted, and infers deletes over them', async () => {
    const store = freshStore();
    // A mirror as earlier releases wrote it: the source's columns, event_ts and created_ts, no delete flag.
    const old = rowsToTable(
      [1n, 2n].map((id) => ({ id, name: 'old', updated_at: T0 + US, event_ts: T0 + US, created_ts: T0 + US })),
      { ...columns, event_ts: timestamp(), created_ts: timestamp() },
    );
    const writer = store.beginWrite(mirrorName(items), { partitioning: 'month' });
    await writer.writeBatch(old.batches[0]!);
    await writer.commit({ operation: 'append', watermark: { versionTime: String(T0 + US) } });
    expect((await mirrored(store)).map(([, , , d]) => d)).toEqual([null, null]);
    const result = await appendChanges(store, changes('snapshot', [versions([{ id: 1n, name: 'old', updated_at: T0 + US }]), { kind: 'snapshot-end', at: T0 + 3n * US }]));
    expect(result).toMatchObject({ versionsAdded: 0, deletesAdded: 1, position: { offset: 1 } });
    expect(await mirrored(store)).toEqual([
      [1n, 'old', 1, null],
      [2n, 'old', 1, null],
      [2n, null, 3, true],
    ]);
  });

  it('refuses changes outside the model, naming the source, and writes nothing', async () => {
    const store = freshStore();
    const refused = async (list: ChangeBatch[], kind: 'snapshot' | 'changes' = 'changes') => {
      const error = await appendChanges(store, changes(kind, list)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/source 'items'/);
      return (error as Error).message;
    };
    expect(await refused([versions([{ id: 1n, name: 'a', updated_at: T0 }], false)])).toMatch(/no '_asof_deleted' column/);
    expect(await refused([versions([{ id: 1n, name: 'a', updated_at: T0, [TOMBSTONE_COLUMN]: null }])])).toMatch(/null '_asof_deleted'/);
    expect(await refused([versions([{ id: 1n, updated_at: null, [TOMBSTONE_COLUMN]: true }])])).toMatch(/a delete with a null 'updated_at'/);
    expect(await refused([{ kind: 'snapshot-end', at: T0 }])).toMatch(/not a snapshot read/);
    expect(await refused([{ kind: 'snapshot-end', at: T0 }, versions([{ id: 1n, name: 'a', updated_at: T0 }])], 'snapshot')).toMatch(/after their snapshot-end/);
    expect((await store.snapshot(mirrorName(items))).version).toBe(0);
  });

  it('a snapshot read that loses its commit to another one re-plans: the same delete is mirrored once, and the loser adds only what the winner lacked', async () => {
    const root = freshRoot();
    const store = openOfflineStore({ root });
    await appendChanges(store, changes('snapshot', [versions([1n, 2n, 3n].map((id) => ({ id, name: 'x', updated_at: T0 + US }))), { kind: 'snapshot-end', at: T0 + 2n * US }]));
    const shows = (ids: bigint[], name: string) => versions(ids.map((id) => ({ id, name, updated_at: T0 + (name === 'x' ? 1n : 3n) * US })));
    const winner = () => appendChanges(store, changes('snapshot', [shows([1n], 'x'), { kind: 'snapshot-end', at: T0 + 4n * US }]));
    const racing = openOfflineStore({ root, objectStore: beforeFirstLogWrite(new LocalObjectStore(root), mirrorName(items), winner) });
    const loser = changes('snapshot', [shows([1n], 'x'), shows([1n], 'y'), { kind: 'snapshot-end', at: T0 + 5n * US }]);
    const result = await appendChanges(racing, loser);
    expect(loser.reads).toBe(2);
    expect(result).toMatchObject({ versionsAdded: 1, deletesAdded: 0, commit: { version: 3, readVersion: 2 } });
    expect((await mirrored(store)).filter(([, , , d]) => d === true)).toEqual([
      [2n, null, 4, true],
      [3n, null, 4, true],
    ]);
    expect(await alive(store, 5)).toEqual([1n]);
  });

  it('a version without a version time is skipped, as ever, but its key still counts as shown by a snapshot', async () => {
    const store = freshStore();
    await appendChanges(store, changes('snapshot', [versions([{ id: 1n, name: 'a', updated_at: T0 + US }]), { kind: 'snapshot-end', at: T0 + 2n * US }]));
    const result = await appendChanges(store, changes('snapshot', [versions([{ id: 1n, name: 'a', updated_at: null }]), { kind: 'snapshot-end', at: T0 + 3n * US }]));
    expect(result).toMatchObject({ rowsRead: 1, versionsAdded: 0, deletesAdded: 0 });
    expect(await alive(store, 3)).toEqual([1n]);
  });
});

