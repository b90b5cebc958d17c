import type { SourceIdentity } from '@asof/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIdentities } from './rule.js';

const primary: SourceIdentity = {
  kind: 'mysql',
  database: 'trs',
  server: { hostname: 'db-1', port: '3306', server_id: '7' },
  address: 'db.example.com:3306',
  tables: { 'trs.accounts': '2024-01-01T00:00:00Z', 'trs.invoices': '2024-01-01T00:00:01Z', 'trs.skus': '2024-01-01T00:00:02Z' },
  details: { version: '10.11.19-MariaDB' },
};
const with_ = (over: Partial<SourceIdentity>): SourceIdentity => ({ ...primary, ...over });
const tables = (over: Record<string, string | null>) => ({ ...primary.tables, ...over });
const reinstance = { hostname: 'db-2', port: '3306', server_id: '8' };

describe('compareIdentities: which changes are the same source', () => {
  it('the same identity: same, nothing to record', () => {
    expect(compareIdentities(primary, primary)).toEqual({ same: true, merged: primary, changes: [] });
  });

  it('another address spelling or server version only: same, nothing to record (address and details never decide)', () => {
    const verdict = compareIdentities(primary, with_({ address: '10.0.0.5:3306', details: { version: '10.11.20-MariaDB' } }));
    expect(verdict.same && verdict.changes).toEqual([]);
  });

  it('another database name or kind: another source', () => {
    expect(compareIdentities(primary, with_({ database: 'trs_staging' }))).toEqual({ same: false, differences: ["database 'trs' ≠ 'trs_staging'"] });
    expect(compareIdentities(primary, with_({ kind: 'memory' }))).toEqual({ same: false, differences: ['source kind mysql ≠ memory'] });
  });

  it('a failover (another server instance, every table stamp unchanged): same, and the new server is recorded', () => {
    const verdict = compareIdentities(primary, with_({ server: reinstance }));
    expect(verdict.same).toBe(true);
    if (!verdict.same) return;
    expect(verdict.merged.server).toEqual(reinstance);
    expect(verdict.changes).toEqual(['server hostname=db-1 port=3306 server_id=7 → hostname=db-2 port=3306 server_id=8 with every table\'s stamp unchanged (a failover or a move)']);
  });

  it('a dump and restore onto another server (create times differ): another source', () => {
    const verdict = compareIdentities(primary, with_({ server: reinstance, tables: tables({ 'trs.invoices': '2025-05-05T00:00:00Z' }) }));
    expect(verdict.same).toBe(false);
    expect(!verdict.same && verdict.differences.join('; ')).toMatch(/tables were created again \(trs.invoices 2024-01-01T00:00:01Z → 2025-05-05T00:00:00Z\): a copy/);
  });

  it('another server with no table stamped on both sides: refused (nothing proves the same data)', () => {
    const bare = with_({ server: reinstance, tables: { 'trs.accounts': null } });
    expect(compareIdentities(primary, bare).same).toBe(false);
    expect(compareIdentities(with_({ tables: {} }), with_({ server: reinstance })).same).toBe(false);
  });

  it('the same server with every shared table created again (a restore in place, or another database of the same name): refused', () => {
    const restored = with_({ tables: { 'trs.accounts': '2025-01-01T00:00:00Z', 'trs.invoices': '2025-01-01T00:00:00Z', 'trs.skus': '2025-01-01T00:00:00Z' } });
    const verdict = compareIdentities(primary, restored);
    expect(verdict.same).toBe(false);
    expect(!verdict.same && verdict.differences[0]).toMatch(/^every table both know was created again/);
    // One table read, and it was re-created: refused too.
    expect(compareIdentities(with_({ tables: { 'trs.skus': 'a' } }), with_({ tables: { 'trs.skus': 'b' } })).same).toBe(false);
  });

  it('the same server with some tables re-stamped (MariaDB re-stamps a table on ALTER): same, new stamps recorded', () => {
    const migrated = with_({ tables: tables({ 'trs.invoices': '2025-02-02T00:00:00Z' }) });
    const verdict = compareIdentities(primary, migrated);
    expect(verdict.same).toBe(true);
    if (!verdict.same) return;
    expect(verdict.merged.tables).toEqual(tables({ 'trs.invoices': '2025-02-02T00:00:00Z' }));
    expect(verdict.changes).toEqual(['tables created again on the same server (a schema migration): trs.invoices 2024-01-01T00:00:01Z → 2025-02-02T00:00:00Z']);
  });

  it('tables the connected identity does not stamp keep their recorded stamps (evidence for later runs)', () => {
    const verdict = compareIdentities(primary, with_({ tables: { 'trs.skus': primary.tables['trs.skus']! } }));
    expect(verdict.same && verdict.merged.tables).toEqual(primary.tables);
  });

  it('tables read for the first time are added; null stamps are no evidence and never overwrite one', () => {
    const verdict = compareIdentities(primary, with_({ tables: { 'trs.accounts': null, 'trs.skus': primary.tables['trs.skus']!, 'trs.payments': '2024-06-01T00:00:00Z' } }));
    expect(verdict.same).toBe(true);
    if (!verdict.same) return;
    expect(verdict.merged.tables).toEqual(tables({ 'trs.payments': '2024-06-01T00:00:00Z' }));
    expect(verdict.changes).toEqual(['tables stamped for the first time: trs.payments']);
  });

  it('properties: an identity is its own source; another database or kind never is; a different stamp on another server never is', () => {
    const text = fc.string({ minLength: 1, maxLength: 6 });
    const identity = fc.record({
      kind: fc.constantFrom('mysql', 'memory'),
      database: text,
      server: fc.dictionary(fc.constantFrom('hostname', 'port', 'server_id', 'server_uuid'), text),
      address: text,
      tables: fc.dictionary(fc.constantFrom('d.a', 'd.b', 'd.c'), fc.option(text, { nil: null })),
    });
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        const self = compareIdentities(a, a);
        expect(self.same && self.changes).toEqual([]);
        const verdict = compareIdentities(a, b);
        if (a.kind !== b.kind || a.database !== b.database) expect(verdict.same).toBe(false);
        const differing = Object.keys(b.tables).some((t) => a.tables[t] != null && b.tables[t] != null && a.tables[t] !== b.tables[t]);
        const sameServer = JSON.stringify(Object.entries(a.server).sort()) === JSON.stringify(Object.entries(b.server).sort());
        if (!sameServer && differing) expect(verdict.same).toBe(false);
        if (verdict.same) {
          // The record follows the connected server and keeps every stamp it had unless the connected side re-stamped it.
          expect(verdict.merged.server).toEqual(b.server);
          for (const [t, stamp] of Object.entries(a.tables)) if (stamp !== null && b.tables[t] == null) expect(verdict.merged.tables[t]).toBe(stamp);
        }
      }),
    );
  });
});
