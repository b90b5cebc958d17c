import cliProgress from 'cli-progress';

/**
 * Progress of long work (rows extracted, files written), per task (a view).
 * On a terminal it draws one bar per task on stderr; elsewhere (CI, a log
 * collector) it reports a snapshot at most every few seconds as a log record,
 * so logs stay line-oriented and parseable.
 */
export interface ProgressReporter {
  /** `task` has done `done` of `total` units (`total` unknown: `undefined`). */
  update(task: string, done: number, total: number | undefined, unit: string): void;
  /** The task ended (done or failed); its bar stays as last drawn. */
  finish(task: string): void;
  /** Writes one line (a log record) without tearing the bars. */
  log(line: string): void;
  /** Stops drawing; call before printing the summary. Idempotent. */
  stop(): void;
}

/** Where a terminal reporter draws. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Bars on a terminal stream (cli-progress: redraw throttling, cursor
 * handling and log lines above the bars are what it is good at).
 */
export function createBarProgress(stream: ProgressStream): ProgressReporter {
  let multi: cliProgress.MultiBar | null = null;
  const bars = new Map<string, cliProgress.SingleBar>();
  const width = () => Math.max(...[...bars.keys()].map((k) => k.length), 4);
  const ensure = () =>
    (multi ??= new cliProgress.MultiBar({
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 8,
      barsize: 24,
      format: (options, params, payload: { task: string; unit: string; known: boolean }) => {
        const elapsed = formatSeconds(((params.stopTime ?? Date.now()) - params.startTime) / 1000);
        const task = payload.task.padEnd(width());
        if (!payload.known) return `${task} ${params.value.toLocaleString('en-US')} ${payload.unit} | ${elapsed}`;
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        const pct = `${Math.floor(params.progress * 100)}%`.padStart(4);
        return `${task} ${bar} ${pct} | ${params.value.toLocaleString('en-US')}/${params.total.toLocaleString('en-US')} ${payload.unit} | ${elapsed}`;
      },
    }));
  return {
    update(task, done, total, unit) {
      const known = total !== undefined && total > 0;
      const bar = bars.get(task);
      if (!bar) {
        bars.set(task, ensure().create(known ? total : 0, done, { task, unit, known }));
        return;
      }
      if (known) bar.setTotal(total);
      bar.update(done, { task, unit, known });
    },
    finish(task) {
      bars.get(task)?.stop(); // freezes its elapsed time; the bar stays drawn
    },
    log(line) {
      if (multi) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      multi?.stop();
      multi = null;
      bars.clear();
    },
  };
}

/** Options of {@link createLineProgress}. */
export interface LineProgressOptions {
  /** Receives a progress snapshot of one task; the CLI logs it as a `progress` record. */
  readonly report: (fields: { task: string; done: number; total: number | undefined; unit: string; percent: number | undefined }) => void;
  /** Writes a log line. */
  readonly write: (line: string) => void;
  /** At most one snapshot per task per this many ms (default 5000). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** Rate-limited progress records for non-terminals: a task is reported at most once per interval, and only when it moved. */
export function createLineProgress(options: LineProgressOptions): ProgressReporter {
  const interval = options.intervalMs ?? 5000;
  const now = options.now ?? Date.now;
  const started = now();
  const last = new Map<string, { at: number; done: number }>();
  return {
    update(task, done, total, unit) {
      const t = now();
      const previous = last.get(task);
      if (t - (previous?.at ?? started) < interval || previous?.done === done) return;
      last.set(task, { at: t, done });
      const percent = total !== undefined && total > 0 ? Math.floor((done / total) * 100) : undefined;
      options.report({ task, done, total, unit, percent });
    },
    finish(task) {
      last.delete(task);
    },
    log: options.write,
    stop() {},
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
