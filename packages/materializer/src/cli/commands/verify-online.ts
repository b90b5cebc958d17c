import { AsofError, formatMicros, type JsRow } from '@asof/core';
import { instantArg, listArg } from '../args.js';
import type { Command } from '../command.js';
import { verifyOnline, type OnlineVerification } from '../../engine/publish/verify-online.js';
import { resolveTarget } from '../resolve-target.js';
import { renderTable } from '../text-table.js';

/**
 * `asof verify-online`: compares every entity's online row with what the
 * offline store answers at the same instant (default: now; any instant up
 * to the published horizon is answered exactly), per feature, like
 * Chronon's consistency metrics; prints counts and examples, and exits
 * non-zero on any mismatch (`ONLINE_MISMATCH`) or, failing that, when the
 * instant is past some entity's horizon (`ONLINE_STALE`: publish again).
 */
export const verifyOnlineCommand: Command = {
  name: 'verify-online',
  summary: 'compare every entity online with the offline store at one instant; exit 1 on a mismatch or past the horizon',
  usage: 'asof verify-online --root <dir|s3://…> [--online <store>] [--view <name>]... [--at <iso>]',
  options: {
    view: { type: 'string', multiple: true, value: '<name>', description: 'verify only these views (default: every online view)' },
    at: { type: 'string', value: '<iso>', description: 'the instant compared (default: now; exact up to the horizon each publish stores)' },
  },
  needsRoot: true,
  async run(ctx, args) {
    const online = await ctx.online();
    if (!online) throw new AsofError('CONFIG', 'no online store to verify: pass --online lmdb:<dir> or dynamodb://<table>');
    const target = await resolveTarget(ctx, listArg(args, 'view'), { runsTransforms: false });
    const at = args.values.at === undefined ? BigInt(ctx.now().getTime()) * 1000n : instantArg(args, 'at', verifyOnlineCommand);
    const reports: OnlineVerification[] = [];
    for (const [i, name] of target.views.entries()) {
      const view = target.registry.getFeatureView(name);
      if (!view.online) continue;
      ctx.progress.update('verify-online', i, target.views.length, 'views');
      reports.push(await verifyOnline(target.store, online, view, at, ctx.signal));
    }
    ctx.progress.update('verify-online', target.views.length, target.views.length, 'views');
    ctx.progress.stop();
    ctx.print(
      renderTable(
        ['view', 'at', 'entities', 'mismatched', 'stale', 'features with mismatches'],
        reports.map((r) => [r.view, r.at, r.entities, r.mismatchedEntities, r.staleEntities, mismatchSummary(r) || null]),
      ),
    );
    const examples = reports.flatMap((r) =>
      Object.entries(r.features).flatMap(([feature, f]) => f.examples.map((e) => [r.view, feature, show(e.key), show(e.offline), show(e.online)])),
    );
    if (examples.length > 0) ctx.print(renderTable(['view', 'feature', 'key', 'offline', 'online'], examples));
    const bad = reports.filter((r) => r.mismatchedEntities > 0);
    for (const r of reports) ctx.logger.info('online verified', { view: r.view, at: r.at, entities: r.entities, mismatched: r.mismatchedEntities, stale: r.staleEntities });
    if (bad.length > 0) {
      throw new AsofError(
        'ONLINE_MISMATCH',
        `${bad.map((r) => `${r.view}: ${r.mismatchedEntities} of ${r.entities} entities differ`).join('; ')} at ${formatMicros(at)}; re-run materialize to publish, or see the examples above`,
      );
    }
    const stale = reports.filter((r) => r.staleEntities > 0);
    if (stale.length > 0) {
      throw new AsofError(
        'ONLINE_STALE',
        `${stale.map((r) => `${r.view}: ${r.staleEntities} of ${r.entities} entities`).join('; ')} are stale at ${formatMicros(at)}, past the horizon their last publish stored; ` +
          `run materialize (any run publishes and moves the horizon), or verify an instant inside it`,
      );
    }
  },
};

function mismatchSummary(r: OnlineVerification): string {
  return Object.entries(r.features)
    .filter(([, f]) => f.mismatches > 0)
    .map(([name, f]) => `${name} (${f.mismatches})`)
    .join(', ');
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && !Array.isArray(value)) return Object.entries(value as JsRow).map(([k, v]) => `${k}=${show(v)}`).join(' ');
  return Array.isArray(value) ? `[${value.map(show).join(', ')}]` : String(value);
}
