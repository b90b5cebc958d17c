/**
 * Runs the CLI in-process for tests (not part of the build): captured
 * stdout/stderr, a temp root, a fake pipeline that records its requests,
 * and rows to commit straight into a store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Float64, Int64, makeData, makeVector, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { microsVector } from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import type { MaterializeRequest, PipelinePort, RunHooks, RunSummary } from '../../engine/pipeline-port.js';
import { runCli, type CliIo } from '../run-cli.js';

/** The fixtures folder, for `--definitions`. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** What one CLI run produced. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  readonly errLines: string[];
}

/** Runs `asof <argv>` in-process with captured output. */
export async function cli(argv: readonly string[], io: Partial<CliIo> & { tty?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: {},
    cwd: FIXTURES,
    ...io,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: io.tty ?? false, columns: 120 },
  });
  return { code, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== '') };
}

const roots: string[] = [];

/** A fresh, empty directory to use as a root. */
export async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-cli-'));
  roots.push(dir);
  return dir;
}

/** Removes every temp root (call in `afterAll`). */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Commits `n` rows of a view straight into the store at `root`, as a materialization would. */
export async function commitRows(root: string, view: string, n = 3, day = '2024-03-01'): Promise<void> {
  const store = openOfflineStore({ root });
  const writer = store.beginWrite(view);
  await writer.writeBatch(rowsBatch(n, Date.parse(`${day}T00:00:00Z`)));
  await writer.commit({ operation: 'append', definitionHash: 'test' });
}

function rowsBatch(n: number, startMs: number): RecordBatch {
  const events = BigInt64Array.from({ length: n }, (_, i) => BigInt(startMs + i * 60_000) * 1000n);
  return new Table({
    account_id: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1)), nullCount: 0 })),
    event_ts: microsVector(events),
    // A copy: apache-arrow 21's IPC writer corrupts a batch whose columns share one buffer.
    created_ts: microsVector(events.slice()),
    paid_90d: vectorFromArray(Array.from({ length: n }, (_, i) => i * 1.5), new Float64()),
  }).batches[0]!;
}

/** One call the fake pipeline received. */
export interface PipelineCall {
  readonly method: keyof PipelinePort;
  readonly views: readonly string[];
  readonly start?: bigint;
  readonly end?: bigint;
  readonly root?: string;
}

/** A pipeline that records calls and answers through `behave` (default: every view committed). */
export function fakePipeline(behave: (view: string, hooks: RunHooks) => Promise<Partial<RunSummary>> = async () => ({})): PipelinePort & { calls: PipelineCall[] } {
  const calls: PipelineCall[] = [];
  const runViews = async (views: readonly string[], operation: RunSummary['operation'], hooks: RunHooks) => {
    const out: RunSummary[] = [];
    for (const view of views) {
      const base: RunSummary = { view, operation, version: 1, rowsRead: 10, rowsWritten: 10, filesAdded: 1, filesRemoved: 0, watermark: null, ms: 5, status: 'committed' };
      try {
        out.push({ ...base, ...(await behave(view, hooks)) });
      } catch (error) {
        if (hooks.signal.aborted) throw error;
        out.push({ ...base, version: null, status: 'failed', error: error as Error });
      }
    }
    return out;
  };
  return {
    calls,
    materialize(request: MaterializeRequest, hooks) {
      calls.push({ method: 'materialize', views: request.views, start: request.start, end: request.end });
      return runViews(request.views, 'replace', hooks);
    },
    materializeIncremental(request, hooks) {
      calls.push({ method: 'materializeIncremental', views: request.views });
      return runViews(request.views, 'append', hooks);
    },
    demo(request, hooks) {
      calls.push({ method: 'demo', views: ['demo'], root: request.root });
      return runViews(['demo'], 'replace', hooks);
    },
    async loadExample(request) {
      calls.push({ method: 'loadExample', views: [], root: request.sourceUrl });
      return { database: request.sourceUrl, asOf: '2026-01-01T00:00:00.000000Z', createdDatabase: false, tables: [], ms: 1 };
    },
  };
}
