/**
 * Answers past what the store has computed say so (DESIGN §5): per view
 * and call, how many of the requested times lie outside every interval the
 * view was materialized over, or after the knowledge time it is complete
 * to; a warning each (`process.emitWarning` and `FeatureTable.warnings`),
 * or a `CoverageError` under `strict`. The derivation itself is the
 * stores' `viewCoverage`.
 */
import { CoverageError, formatMicros } from '@asof/core';
import type { CoveredRange, ViewCoverage } from '@asof/stores';

/** `uncovered`: outside every computed interval. `past-knowledge`: after the knowledge time of the range it falls in. */
export type CoverageWarningKind = 'uncovered' | 'past-knowledge';

/** The `process.emitWarning` code of each kind. */
export const COVERAGE_WARNING_CODES = Object.freeze({
  uncovered: 'ASOF_OUTSIDE_COMPUTED_RANGE',
  'past-knowledge': 'ASOF_PAST_KNOWLEDGE_TIME',
} as const);

/** What a call answered past the store's knowledge, for one view. */
export interface CoverageWarning {
  readonly view: string;
  readonly kind: CoverageWarningKind;
  /** The `process.emitWarning` code (see {@link COVERAGE_WARNING_CODES}). */
  readonly code: (typeof COVERAGE_WARNING_CODES)[CoverageWarningKind];
  /** How many of the requested times (entity rows, or asOf/compare instants) it concerns, of `total`. */
  readonly count: number;
  readonly total: number;
  readonly message: string;
}

/** How a call treats coverage warnings. */
export interface CoveragePolicy {
  /** Raise a `CoverageError` instead of warning. */
  readonly strict: boolean;
  /** Times after the knowledge time are expected (a "now" query): neither warn nor raise for them. */
  readonly acceptPastKnowledgeTime: boolean;
}

/** The times a call asks about: one per entity row, or a few named instants (asOf, compare). */
export type RequestedTimes =
  | { readonly rows: BigInt64Array }
  | { readonly instants: readonly { readonly label: string; readonly at: bigint }[] };

/** What else selected the snapshot, for messages. */
export interface CoverageContext {
  readonly asKnownAt: bigint | null;
  readonly asOfCommitTime: bigint | null;
  /** When the snapshot has no commit: the view's first commit time at all (`null`: it has none). */
  readonly firstCommittedAt?: string | null;
  /** The snapshot's version (0: nothing committed by then). */
  readonly version: number;
}

/**
 * The warnings for one view: at most one per kind, with counts. A view
 * whose log records no computation but has rows written otherwise (hand
 * appends, logs older than coverage records) has unknown coverage and gets
 * none.
 */
export function coverageWarnings(coverage: ViewCoverage, times: RequestedTimes, context: CoverageContext): CoverageWarning[] {
  if (!coverage.recorded && coverage.unrecorded > 0) return [];
  const view = coverage.view;
  const instants = 'instants' in times ? times.instants : null;
  const total = instants ? instants.length : (times as { rows: BigInt64Array }).rows.length;
  if (total === 0) return [];
  if (!coverage.recorded) return [warning(view, 'uncovered', total, total, nothingComputed(view, context, subject(instants, total, total)))];

  if (!instants && allInsideKnown(coverage, (times as { rows: BigInt64Array }).rows)) return [];
  const { ranges } = coverage;
  const first = ranges[0]!;
  const last = ranges[ranges.length - 1]!;
  const where = (t: bigint): Outside => (first.start !== null && t < first.start ? 'before' : last.end !== null && t >= last.end ? 'after' : 'gap');
  const outside = { before: [] as string[], after: [] as string[], gap: [] as string[] };
  const counts = { before: 0, after: 0, gap: 0 };
  const pastLabels: string[] = [];
  let past = 0;
  const pastRanges = new Set<CoveredRange>();
  const visit = (t: bigint, name: string | null) => {
    const r = coverage.at(t);
    if (r === null) {
      const w = where(t);
      counts[w]++;
      if (name !== null) outside[w].push(name);
    } else if (t > r.knownAt) {
      past++;
      pastRanges.add(r);
      if (name !== null) pastLabels.push(name);
    }
  };
  if (instants) for (const { label, at } of instants) visit(at, label);
  else for (const t of (times as { rows: BigInt64Array }).rows) visit(t, null);

  const out: CoverageWarning[] = [];
  const uncovered = counts.before + counts.after + counts.gap;
  if (uncovered > 0) {
    const phrase: Record<Outside, string> = {
      after: `at or after ${show(last.end ?? 0n)}, the end of what it was materialized over`,
      before: `before ${show(first.start ?? 0n)}, the start of what it was materialized over`,
      gap: 'in a gap between the ranges it was materialized over',
    };
    const present = (['after', 'before', 'gap'] as const).filter((w) => counts[w] > 0);
    const who = instants ? subject(instants.filter((i) => coverage.at(i.at) === null), uncovered, total) : subject(null, uncovered, total);
    const what =
      present.length === 1
        ? `${phrase[present[0]!]} (${describeRanges(ranges)})`
        : `outside what it was materialized over (${describeRanges(ranges)}): ${present
            .map((w) => `${instants ? outside[w].join(' and ') : counts[w]} ${phrase[w].replace(/, the (end|start) of what it was materialized over/, ' (its $1)')}`)
            .join(', ')}`;
    out.push(
      warning(
        view,
        'uncovered',
        uncovered,
        total,
        `view '${view}': ${who} ${what}. No feature rows were computed there, so those answers miss what changed there (window expiries and due dates included). ` +
          `Materialize that range (asof materialize --start … --end …), or pass { strict: true } to raise instead.`,
      ),
    );
  }
  if (past > 0) {
    const known = [...pastRanges].map((r) => r.knownAt).sort((a, b) => (a < b ? -1 : 1));
    const at = known.length === 1 ? show(known[0]!) : `${show(known[0]!)}…${show(known[known.length - 1]!)}`;
    const who = instants ? subject(instants.filter((i) => pastLabels.includes(i.label)), past, total) : subject(null, past, total);
    out.push(
      warning(
        view,
        'past-knowledge',
        past,
        total,
        `view '${view}': ${who} after ${at}, its knowledge time (the latest source change it was computed with, on the source's clock): ` +
          `${instants ? 'the answer assumes' : 'their answers assume'} no source change since, as a "now" query usually does. Pass { acceptPastKnowledgeTime: true } to silence this.`,
      ),
    );
  }
  return out;
}

/**
 * Applies a call's policy: drops accepted past-knowledge warnings, raises
 * the first remaining one as a `CoverageError` under `strict`, else emits
 * each through `process.emitWarning` (type `AsofCoverageWarning`, code per
 * kind) and returns them for the result table.
 */
export function reportCoverage(warnings: readonly CoverageWarning[], policy: CoveragePolicy): CoverageWarning[] {
  const kept = warnings.filter((w) => !(policy.acceptPastKnowledgeTime && w.kind === 'past-knowledge'));
  if (policy.strict && kept.length > 0) {
    const w = kept[0]!;
    const more = kept.length > 1 ? ` (and ${kept.length - 1} more: ${kept.slice(1).map((x) => `'${x.view}' ${x.kind}`).join(', ')})` : '';
    const allow = w.kind === 'past-knowledge' ? ' Pass { acceptPastKnowledgeTime: true } to allow answers after the knowledge time.' : ' Materialize that range (asof materialize --start … --end …) first.';
    throw new CoverageError(w.view, w.kind, `${w.message.replace(/ (Pass \{ acceptPastKnowledgeTime|Materialize that range)[^]*$/, '')}${more} Raised because the call is strict.${allow}`);
  }
  for (const w of kept) process.emitWarning(w.message, { type: 'AsofCoverageWarning', code: w.code });
  return kept;
}

type Outside = 'before' | 'after' | 'gap';

/** The common case in one cheap pass: the earliest and latest time fall in one range (so every time does) and none is past its knowledge time. */
function allInsideKnown(coverage: ViewCoverage, rows: BigInt64Array): boolean {
  let min = rows[0]!;
  let max = min;
  for (let i = 1; i < rows.length; i++) {
    const t = rows[i]!;
    if (t < min) min = t;
    else if (t > max) max = t;
  }
  const range = coverage.at(min);
  return range !== null && range === coverage.at(max) && max <= range.knownAt;
}

function warning(view: string, kind: CoverageWarningKind, count: number, total: number, message: string): CoverageWarning {
  return Object.freeze({ view, kind, code: COVERAGE_WARNING_CODES[kind], count, total, message });
}

function nothingComputed(view: string, context: CoverageContext, who: string): string {
  let why: string;
  if (context.version === 0 && context.asOfCommitTime !== null) {
    const first = context.firstCommittedAt ? `its first commit is at ${context.firstCommittedAt}` : 'it has no commit yet';
    why = `had no commit at or before ${show(context.asOfCommitTime)} (asOfCommitTime, the store's commit clock; ${first})`;
  } else if (context.version === 0) {
    why = 'has never been materialized (asof materialize)';
  } else if (context.asKnownAt !== null) {
    why = `had computed nothing known by ${show(context.asKnownAt)} (asKnownAt, the source's clock)`;
  } else {
    why = 'records no computed range';
  }
  return `view '${view}' ${why}: ${who} answered with null features.`;
}

/** `asOf 2026-12-01T00:00:00Z is` / `t1 (…) and t2 (…) are` / `all 1000 entity rows are`. */
function subject(instants: readonly { label: string; at: bigint }[] | null, count: number, total: number): string {
  if (!instants) return total === 1 ? 'the entity row is' : count === total ? `all ${total} entity rows are` : `${count} of ${total} entity rows ${count === 1 ? 'is' : 'are'}`;
  if (instants.length === 1) return `${instants[0]!.label} ${show(instants[0]!.at)} is`;
  return `${instants.map((i) => `${i.label} (${show(i.at)})`).join(' and ')} are`;
}

function joinCounts(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `[2024-01-01T00:00:00Z, 2026-01-01T00:00:00Z)` for up to three ranges. */
export function describeRanges(ranges: readonly CoveredRange[]): string {
  if (ranges.length === 0) return 'nothing';
  const text = ranges.slice(0, 3).map((r) => `[${r.start === null ? '-∞' : show(r.start)}, ${r.end === null ? '∞' : show(r.end)})`);
  return `computed: ${text.join(', ')}${ranges.length > 3 ? ` and ${ranges.length - 3} more` : ''}`;
}

/** An instant as ISO-8601 UTC, without sub-second digits when there are none. */
export function show(micros: bigint): string {
  return formatMicros(micros).replace(/\.000000Z$/, 'Z');
}
