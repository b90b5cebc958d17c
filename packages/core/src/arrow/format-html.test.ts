import { DenseUnion, Field, Float64, Int64, makeData, makeVector, Table, Timestamp, TimeUnit, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bool, decimal, float64, int64, list, string, timestamp } from '../dtypes.js';
import { Instant } from '../time/instant.js';
import { escapeHtml, formatHtmlTable } from './format-html.js';
import { formatTable } from './format-table.js';
import { columnValues, rowsToTable } from './rows.js';

/** The text of every `<td>` (tags stripped), row by row. */
function cells(html: string): string[][] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')));
}

describe('formatHtmlTable', () => {
  it('shows exact int64, µs timestamps, decimals, lists and marks nulls', () => {
    const table = rowsToTable(
      [
        { id: 9_007_199_254_740_993n, at: new Instant(1_700_000_000_123_456n), price: '12.30', names: ['a', 'b'], note: null, ok: true },
        { id: -9_223_372_036_854_775_808n, at: new Instant(0n), price: '-0.05', names: [], note: 'null', ok: null },
      ],
      { id: int64(), at: timestamp(), price: decimal(38, 2), names: list(string()), note: string(), ok: bool() },
    );
    const html = formatHtmlTable(table);
    expect(cells(html)).toEqual([
      ['9007199254740993', '2023-11-14T22:13:20.123456Z', '12.30', '[a, b]', 'null', 'true'],
      ['-9223372036854775808', '1970-01-01T00:00:00Z', '-0.05', '[]', 'null', 'null'],
    ]);
    // A null is shown as such, the string "null" as text.
    expect(html).toContain('<td><i style="opacity:0.6">null</i></td><td>true</td>');
    expect(html).toContain('<td>null</td>');
    expect(html).toContain('<th title="Int64" style="text-align:right">id</th>');
    expect(html).toContain('2 rows × 6 columns');
  });

  it('escapes names and values', () => {
    const table = rowsToTable([{ '<b>"x"</b>': `<script>alert('&')</script>` }], { '<b>"x"</b>': string() });
    const html = formatHtmlTable(table);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('shows the first maxRows rows and counts the rest', () => {
    const table = rowsToTable(Array.from({ length: 30 }, (_, i) => ({ i: BigInt(i) })), { i: int64() });
    const html = formatHtmlTable(table, { maxRows: 2 });
    expect(cells(html)).toEqual([['0'], ['1'], ['… 28 more rows']]);
    expect(html).toContain('30 rows × 1 column');
    expect(cells(formatHtmlTable(table.slice(0, 21)))).toHaveLength(21);
    expect(cells(formatHtmlTable(table.slice(0, 21))).at(-1)).toEqual(['… 1 more row']);
    expect(cells(formatHtmlTable(table.slice(0, 0)))).toEqual([]);
  });

  it('cuts long cells, keeping the whole value (and a float’s exact digits) in the tooltip', () => {
    const table = rowsToTable([{ s: 'x'.repeat(100), f: 18565.579999999998, g: 0.5 }], { s: string(), f: float64(), g: float64() });
    const html = formatHtmlTable(table, { maxWidth: 10 });
    expect(cells(html)).toEqual([['xxxxxxxxx…', '18565.58', '0.5']]);
    expect(html).toContain(`title="${'x'.repeat(100)}"`);
    expect(html).toContain('title="18565.579999999998"');
    expect(html).not.toContain('title="0.5"');
  });

  it('adds a note per cell', () => {
    const table = rowsToTable([{ v: null }, { v: 1n }], { v: int64() });
    const html = formatHtmlTable(table, { note: (row) => (row === 0 ? 'missing' : null) });
    expect(cells(html)).toEqual([['null (missing)'], ['1']]);
  });
});

describe('union columns', () => {
  // A dense union of a µs timestamp, an int64 and a string member, as compare's long format builds.
  const members = [
    makeVector(makeData({ type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), length: 2, nullCount: 1, nullBitmap: Uint8Array.of(0b01), data: BigInt64Array.of(1_700_000_000_000_001n, 0n) })),
    vectorFromArray([9_007_199_254_740_993n], new Int64()),
    vectorFromArray(['added'], new Utf8()),
    vectorFromArray([0.1 + 0.2], new Float64()),
  ];
  const type = new DenseUnion(
    [0, 1, 2, 3],
    members.map((m, k) => new Field(`m${k}`, m.type, true)),
  );
  const union = makeVector(
    makeData({ type, length: 5, nullCount: 0, typeIds: Int8Array.of(0, 1, 2, 0, 3), valueOffsets: Int32Array.of(0, 0, 0, 1, 0), children: members.map((m) => m.data[0]!) }),
  );

  it('read exactly, member by member (a timestamp member keeps its µs)', () => {
    const values = columnValues(union, 'u');
    expect((values[0] as Instant).micros).toBe(1_700_000_000_000_001n);
    expect(values.slice(1)).toEqual([9_007_199_254_740_993n, 'added', null, 0.1 + 0.2]);
    // Sliced, the offsets follow.
    expect(columnValues(union.slice(1, 4), 'u')).toEqual([9_007_199_254_740_993n, 'added', null]);
  });

  it('print as their members do, in text and HTML', () => {
    const table = new Table({ u: union });
    expect(formatTable(table).split('\n').slice(2, 7)).toEqual(['2023-11-14T22:13:20.000001Z', '9007199254740993', 'added', 'null', '0.3']);
    const html = formatHtmlTable(table);
    expect(cells(html).map((r) => r[0])).toEqual(['2023-11-14T22:13:20.000001Z', '9007199254740993', 'added', 'null', '0.3']);
    // A float member keeps its exact digits in the tooltip.
    expect(html).toContain('title="0.30000000000000004">0.3</td>');
    // Numbers align right cell by cell.
    expect(html).toContain('<td style="text-align:right">9007199254740993</td>');
    expect(html).toContain('<td>added</td>');
  });
});
