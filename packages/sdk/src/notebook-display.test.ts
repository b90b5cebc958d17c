/**
 * How FeatureTable and OnlineFeatures show themselves: text in a terminal,
 * HTML in a notebook. tslab's hook is faked here (a unit test above its
 * interface: `globalThis.__tslab__.require('tslab').display.html`); the
 * notebook test runs the real kernel.
 */
import { inspect } from 'node:util';
import { float64, int64, rowsToTable, string } from '@asof/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FeatureTable } from './feature-table.js';
import { JUPYTER_DISPLAY } from './notebook-display.js';
import { OnlineFeatures } from './online.js';

const table = new FeatureTable(rowsToTable([{ account_id: 9_007_199_254_740_993n, name: '<b>x</b>', score: 0.5 }], { account_id: int64(), name: string(), score: float64() }));

/** Installs a fake tslab kernel hook; returns what it was asked to display. */
function fakeTslab(html: (s: string) => void = () => {}): string[] {
  const sent: string[] = [];
  (globalThis as { __tslab__?: unknown }).__tslab__ = {
    require: (id: string) => (id === 'tslab' ? { display: { html: (s: string) => (sent.push(s), html(s)) } } : null),
  };
  return sent;
}

afterEach(() => {
  delete (globalThis as { __tslab__?: unknown }).__tslab__;
});

describe('outside a notebook', () => {
  it('inspects and prints as the text table', () => {
    expect(inspect(table)).toBe(table.toString());
    expect(inspect({ t: table })).toContain('9007199254740993 │ <b>x</b>');
  });
  it('offers Deno’s kernel a MIME bundle with text and HTML', () => {
    const bundle = table[JUPYTER_DISPLAY]();
    expect(bundle['text/plain']).toBe(table.toString());
    expect(bundle['text/html']).toBe(table.toHTML());
    expect(bundle['text/html']).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('in a tslab cell', () => {
  it('sends the HTML table and prints nothing when shown at the top level', () => {
    const sent = fakeTslab();
    expect(inspect(table)).toBe('');
    expect(sent).toEqual([table.toHTML()]);
    expect(sent[0]).toContain('<td style="text-align:right">9007199254740993</td>');
  });
  it('prints text when nested in another value, and String() stays text', () => {
    const sent = fakeTslab();
    expect(inspect([table])).toContain('9007199254740993 │');
    expect(String(table)).toBe(table.format());
    expect(sent).toEqual([]);
  });
  it('falls back to text when tslab refuses to display (outside a running cell)', () => {
    fakeTslab(() => {
      throw new Error('Not ready');
    });
    expect(inspect(table)).toBe(table.toString());
  });
});

describe('OnlineFeatures', () => {
  const online = new OnlineFeatures(
    [
      { account_id: 1n, score: 0.5 },
      { account_id: 2n, score: null },
    ],
    [{ score: 'present' }, { score: 'expired' }],
    { account_id: int64(), score: float64() },
  );
  it('shows each feature’s status beside a null in HTML', () => {
    const html = online.toHTML();
    expect(html).toContain('<td style="text-align:right">0.5</td>');
    expect(html).toContain('<i style="opacity:0.6">null</i> <small style="opacity:0.6">(expired)</small>');
  });
  it('displays as HTML in a tslab cell, as text elsewhere', () => {
    expect(inspect(online)).toBe(String(online));
    const sent = fakeTslab();
    expect(inspect(online)).toBe('');
    expect(sent).toEqual([online.toHTML()]);
  });
});
