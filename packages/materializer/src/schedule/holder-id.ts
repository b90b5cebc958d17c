import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A lease holder id for this process: `host:pid:random`. Readable in a
 * lease object (who holds the lock?) and unique even when a container
 * restarts with the same host name and pid.
 */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
