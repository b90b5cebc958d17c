/**
 * `asof sql` is read-only: hostile statements (writing files inside and
 * outside the root, attaching databases, loading extensions, changing
 * settings, reading other files, several statements at once) are refused
 * in one line and leave nothing behind, while queries over the feature
 * tables keep working.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, commitRows, removeTempRoots, tempRoot } from '../testing/cli-harness.js';

let root: string;
let outside: string;
beforeAll(async () => {
  root = await tempRoot();
  outside = await tempRoot();
  await commitRows(root, 'spend', 3);
});
afterAll(removeTempRoots);

const sql = (query: string) => cli(['sql', '--root', root, '--format', 'csv', query]);

describe('asof sql', () => {
  it('still answers queries, DESCRIBE and SUMMARIZE over the feature tables', async () => {
    expect((await sql('SELECT count(*) AS n, sum(paid_90d) AS paid FROM spend')).stdout).toBe('n,paid\n3,4.5\n');
    expect((await sql('FROM spend SELECT account_id ORDER BY 1')).stdout).toBe('account_id\n1\n2\n3\n');
    expect((await sql('DESCRIBE spend')).code).toBe(0);
    expect((await sql('SUMMARIZE spend')).code).toBe(0);
  });

  const writes = () => [
    [`COPY (SELECT * FROM spend) TO '${path.join(outside, 'leak.csv')}'`, 'COPY'],
    [`COPY (SELECT * FROM spend) TO '${path.join(root, 'inside.parquet')}' (FORMAT parquet)`, 'COPY'],
    [`EXPORT DATABASE '${path.join(root, 'exported')}'`, 'EXPORT'],
    [`ATTACH '${path.join(root, 'attached.duckdb')}' AS extra`, 'ATTACH'],
    [`CREATE TABLE copy AS SELECT * FROM spend`, 'CREATE'],
    ['INSTALL httpfs', 'INSTALL'],
    ['LOAD httpfs', 'LOAD'],
    ['SET threads = 1', 'SET'],
    ['PRAGMA threads = 1', 'PRAGMA'],
    ['RESET enable_external_access', 'RESET'],
    [`EXPLAIN ANALYZE COPY (SELECT 1) TO '${path.join(root, 'explained.csv')}'`, 'EXPLAIN'],
    [`/* a comment first */ ATTACH '${path.join(root, 'attached.duckdb')}'`, 'ATTACH'],
    ['CHECKPOINT', 'CHECKPOINT'],
    [`COPY (SELECT 1) TO '${path.join(root, 'views')}/spend/overwritten.parquet'`, 'COPY'],
  ];

  it.each(Array.from({ length: 14 }, (_, i) => i))('refuses write or settings statement #%i, and nothing is written', async (i) => {
    const [query, kind] = writes()[i]!;
    const r = await sql(query!);
    expect(r.code).toBe(1);
    expect(r.errLines.at(-1)).toBe(`asof: sql failed: asof sql is read-only: it runs a query (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE), not ${kind} (INVALID_INPUT)`);
    for (const file of ['inside.parquet', 'exported', 'attached.duckdb', 'explained.csv', 'views/spend/overwritten.parquet']) expect(existsSync(path.join(root, file))).toBe(false);
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses several statements at once, even when the first is a query', async () => {
    const r = await sql(`SELECT 1; COPY (SELECT 1) TO '${path.join(outside, 'second.csv')}'`);
    expect(r.code).toBe(1);
    expect(r.errLines.at(-1)).toBe('asof: sql failed: asof sql runs exactly one query, got 2 statements; send them one at a time (INVALID_INPUT)');
    expect(await readdir(outside)).toEqual([]);
  });

  it.each([["SELECT * FROM read_csv('/etc/passwd')"], ["SELECT * FROM read_text('/etc/hostname')"], ["SELECT * FROM glob('/etc/*')"], [`SELECT * FROM query('COPY (SELECT 1) TO ''${'/tmp/x.csv'}''')`]])(
    'refuses to reach outside the root from a query: %s',
    async (query) => {
      const r = await sql(query);
      expect(r.code).toBe(1);
      expect(r.errLines.at(-1)).toMatch(/^asof: sql failed: DuckDB: (Permission Error: Cannot access file .* file system operations are disabled by configuration|Parser Error: Expected a single SELECT statement).* \(INVALID_INPUT\)$/);
    },
  );
});
