import { describeSourceIdentity } from '@asof/core';
import type { Logger } from './logger.js';
import type { MirrorAppend } from './mirror/mirror-append.js';
import type { SourceCheck } from './source-identity/check.js';

/** Says what the source check found: a re-base, an accepted change or a first record are worth a look. */
export function logSourceCheck(identity: Omit<SourceCheck, 'extracted'>, rebase: boolean, logger: Logger): void {
  const fields = { status: identity.status, source: describeSourceIdentity(identity.identity), changes: identity.changes, fullRead: identity.fullRead };
  if (identity.status === 'rebased') logger.warn('root re-based on another source; its mirrored sources are read in full', fields);
  else if (identity.status === 'updated') logger.warn('source identity updated (same source, accepted change)', fields);
  else if (identity.status === 'recorded') logger[identity.changes.length > 0 ? 'warn' : 'info']('source identity recorded for this root', fields);
  else if (identity.fullRead.length > 0) logger.info('reading sources in full, owed since the root was re-based', fields);
  else logger.debug('source identity matches the root', fields);
  if (rebase && identity.status !== 'rebased') logger.info('--rebase-source: the source is already the root’s; nothing was re-based', fields);
}

/** One line per source mirrored, and a warning for rows a recorded delete shadows. */
export function logMirrors(sources: readonly MirrorAppend[], logger: Logger): void {
  for (const s of sources) {
    logger.info('source mirrored', { source: s.source, rowsRead: s.rowsRead, versionsAdded: s.versionsAdded, deletesAdded: s.deletesAdded });
    if (s.shadowedByDeletes > 0) {
      logger.warn('rows shown by the source stay deleted: their version time is not after the delete the mirror recorded for their key', {
        source: s.source,
        rows: s.shadowedByDeletes,
        what: 'they count as deleted until their next update; a row re-created with an old version time (an application-set clock) causes this',
      });
    }
  }
}
