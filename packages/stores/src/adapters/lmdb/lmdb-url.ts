import path from 'node:path';
import { InvalidInputError } from '@asof/core';

/** The directory an `lmdb:<dir>` URL names (a relative one resolves against `cwd`): the one parser of LMDB URLs. */
export function parseLmdbUrl(url: string, cwd: string = process.cwd()): string {
  const dir = /^lmdb:(.+)$/is.exec(url)?.[1];
  if (dir === undefined) throw new InvalidInputError(`invalid LMDB online store ${JSON.stringify(url)}: expected lmdb:<dir>`);
  return path.resolve(cwd, dir);
}
