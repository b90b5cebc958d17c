import { dtypeFromJson, dtypeToJson, isDType, type DType, type JsTypeOf } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { assertConfig, assertDescription, assertName, RESERVED_COLUMNS } from './names.js';

/**
 * A dtype a join key may have. Keys are hashed, compared and used as online
 * store keys, so only exact types qualify (`int32`, `int64`, `string`); the
 * type admits any number dtype, the runtime check narrows it to `int32`.
 */
export type KeyDType = DType<number> | DType<bigint> | DType<string>;

/** Join key name -> dtype, in key order. */
export type JoinKeys = Readonly<Record<string, KeyDType>>;

/** The dtype kinds a join key may have. */
export const JOIN_KEY_KINDS: readonly string[] = Object.freeze(['int32', 'int64', 'string']);

/** Something features are about (an account, a SKU), identified by its join keys. */
export interface Entity<N extends string = string, K extends JoinKeys = JoinKeys> {
  readonly kind: 'entity';
  readonly name: N;
  /** Key name -> dtype; several entries make a composite key, in this order. */
  readonly joinKeys: K;
  readonly description: string | undefined;
}

/** Any entity, whatever its literal types. */
export type AnyEntity = Entity<string, JoinKeys>;

/** What {@link defineEntity} takes. */
export interface EntityConfig<N extends string, K extends JoinKeys> {
  readonly name: N;
  readonly joinKeys: K;
  readonly description?: string;
}

/** The key object of an entity: `{ account_id: bigint }` for `{ account_id: int64() }`. */
export type InferEntityKey<E extends AnyEntity> = { -readonly [P in keyof E['joinKeys']]: JsTypeOf<E['joinKeys'][P]> };

/**
 * Declares an entity: `defineEntity({ name: 'account', joinKeys: { account_id: int64() } })`.
 * The result is deeply frozen.
 */
export function defineEntity<const N extends string, const K extends JoinKeys>(config: EntityConfig<N, K>): Entity<N, K> {
  assertConfig(config, 'defineEntity', "{ name: 'account', joinKeys: { account_id: int64() } }");
  assertName(config.name, 'entity name');
  assertDescription(config.description, `entity '${config.name}'`);
  const what = `entity '${config.name}'`;
  const keys = config.joinKeys as unknown;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0) {
    throw new DefinitionError(`${what} needs joinKeys, a record of key name to dtype, e.g. { account_id: int64() }`);
  }
  const joinKeys: Record<string, DType> = {};
  for (const [key, dtype] of Object.entries(keys)) {
    assertName(key, `${what}: join key`);
    if (RESERVED_COLUMNS.includes(key)) {
      throw new DefinitionError(`${what}: join key '${key}' is reserved for the stored time columns; rename it`);
    }
    joinKeys[key] = normalizeKeyDType(dtype, `${what}: join key '${key}'`);
  }
  return deepFreeze({
    kind: 'entity' as const,
    name: config.name,
    joinKeys: joinKeys as K,
    description: config.description,
  });
}

/** Whether a value is an entity built by {@link defineEntity} (or rebuilt from JSON). */
export function isEntity(value: unknown): value is AnyEntity {
  return typeof value === 'object' && value !== null && (value as AnyEntity).kind === 'entity';
}

function normalizeKeyDType(dtype: unknown, what: string): DType {
  if (!isDType(dtype)) throw new DefinitionError(`${what} must be a dtype such as int64() or string()`);
  if (!JOIN_KEY_KINDS.includes(dtype.kind)) {
    throw new DefinitionError(
      `${what} has dtype ${dtype.kind}; join keys must be int32(), int64() or string() so they compare exactly`,
    );
  }
  // Re-created from its JSON form so a hand-built `{ kind: 'int64' }` becomes the canonical frozen dtype.
  return dtypeFromJson(dtypeToJson(dtype));
}
