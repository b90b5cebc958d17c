import path from 'node:path';
import { AsofError, type OnlineStore } from '@asof/core';
import { commitCoordinatorFromUrl } from '../adapters/dynamodb/commit-coordinator-url.js';
import type { DynamoDbCommitCoordinator } from '../adapters/dynamodb/dynamodb-commit-coordinator.js';
import { DynamoDbOnlineStore, type DynamoDbOnlineStoreOptions } from '../adapters/dynamodb/dynamodb-online-store.js';
import { LmdbOnlineStore } from '../adapters/lmdb/lmdb-online-store.js';
import type { StoreSettings } from './store-settings.js';

/** The commit coordinator the settings name (`dynamodb://<table>`), on their DynamoDB connection, or `null`. */
export function openCommitCoordinator(settings: Pick<StoreSettings, 'commitCoordinator' | 'dynamodb'>): DynamoDbCommitCoordinator | null {
  return settings.commitCoordinator ? commitCoordinatorFromUrl(settings.commitCoordinator, settings.dynamodb) : null;
}

/**
 * Opens the online store `spec` names: `lmdb:<dir>` (relative to `cwd`),
 * `dynamodb://<table>` on the settings' DynamoDB connection, or `none`
 * (`null`). Anything else is a `CONFIG` error.
 */
export function openOnlineStore(
  spec: string,
  settings: { readonly dynamodb: Omit<DynamoDbOnlineStoreOptions, 'tableName'> },
  options: { readonly cwd?: string } = {},
): OnlineStore | null {
  if (spec === 'none') return null;
  if (spec.startsWith('lmdb:') && spec.length > 'lmdb:'.length) return new LmdbOnlineStore({ path: path.resolve(options.cwd ?? process.cwd(), spec.slice('lmdb:'.length)) });
  const table = /^dynamodb:\/\/([A-Za-z0-9_.-]{3,255})\/?$/.exec(spec)?.[1];
  if (table) return new DynamoDbOnlineStore({ ...settings.dynamodb, tableName: table });
  throw new AsofError('CONFIG', `online store ${JSON.stringify(spec)} is not lmdb:<dir>, dynamodb://<table> or none`);
}
