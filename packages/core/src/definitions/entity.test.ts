import { describe, expect, it } from 'vitest';
import { bool, decimal, DefinitionError, defineEntity, float64, int32, int64, isEntity, string, type DType } from '@asof/core';

describe('defineEntity', () => {
  it('builds a frozen entity with its join keys in order', () => {
    const e = defineEntity({ name: 'company_sku', joinKeys: { company_id: int32(), sku: string() }, description: 'a SKU of a company' });
    expect(e).toMatchObject({ kind: 'entity', name: 'company_sku', description: 'a SKU of a company' });
    expect(Object.keys(e.joinKeys)).toEqual(['company_id', 'sku']);
    expect(e.joinKeys.company_id.kind).toBe('int32');
    expect(isEntity(e)).toBe(true);
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(e.joinKeys)).toBe(true);
    expect(() => {
      (e as { name: string }).name = 'other';
    }).toThrow(TypeError);
    expect(() => {
      (e.joinKeys as Record<string, unknown>).extra = int64();
    }).toThrow(TypeError);
  });

  it('accepts int32, int64 and string keys, including hand-built dtypes', () => {
    const e = defineEntity({ name: 'account', joinKeys: { account_id: { kind: 'int64' } as DType<bigint> } });
    expect(e.joinKeys.account_id).toEqual(int64());
    expect(Object.isFrozen(e.joinKeys.account_id)).toBe(true);
  });

  it.each([
    ['Account', "e.g. 'account'"],
    ['invoiceLine', "e.g. 'invoice_line'"],
    ['1st', 'starting with a letter'],
    ['', 'not a valid name'],
    ['a-b', "e.g. 'a_b'"],
  ])('rejects the name %j', (name, message) => {
    expect(() => defineEntity({ name, joinKeys: { id: int64() } })).toThrow(DefinitionError);
    expect(() => defineEntity({ name, joinKeys: { id: int64() } })).toThrow(message);
  });

  it('rejects missing or empty join keys', () => {
    expect(() => defineEntity({ name: 'a', joinKeys: {} })).toThrow(/needs joinKeys/);
    expect(() => defineEntity({ name: 'a' } as never)).toThrow(/needs joinKeys/);
    expect(() => defineEntity(undefined as never)).toThrow(/takes one config object/);
  });

  it('rejects invalid key names and reserved columns', () => {
    expect(() => defineEntity({ name: 'a', joinKeys: { AccountId: int64() } })).toThrow(/join key "AccountId" is not a valid name.*account_id/);
    expect(() => defineEntity({ name: 'a', joinKeys: { event_ts: int64() } })).toThrow(/reserved/);
  });

  it.each([
    ['float64', float64()],
    ['bool', bool()],
    ['decimal', decimal(10, 2)],
  ])('rejects %s join keys', (kind, dtype) => {
    expect(() => defineEntity({ name: 'a', joinKeys: { id: dtype as never } })).toThrow(
      `join key 'id' has dtype ${kind}; join keys must be int32(), int64() or string()`,
    );
  });

  it('rejects a key that is not a dtype', () => {
    expect(() => defineEntity({ name: 'a', joinKeys: { id: int64 as never } })).toThrow(/must be a dtype/);
  });

  it('rejects a non-string description', () => {
    expect(() => defineEntity({ name: 'a', joinKeys: { id: int64() }, description: 3 as never })).toThrow(/description must be a string/);
  });
});
