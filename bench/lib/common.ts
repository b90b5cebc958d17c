import { fileURLToPath } from 'node:url';
/**
 * Shared plumbing for the benchmarks: arguments, child processes (one per
 * phase, so each phase's peak RSS is its own) and the result protocol that
 * bench/run.ts collects into one table.
 */
import { spawn } from 'node:child_process';

/** One measured step; `rows` is what rows/s is computed from. */
export interface BenchResult {
  readonly bench: string;
  readonly step: string;
  readonly seconds: number;
  /** Process CPU time (user + system, all threads) over the step: robust to a busy machine, unlike wall time. */
  readonly cpuSeconds?: number;
  readonly rows?: number;
  readonly peakRssMiB?: number;
  readonly note?: string;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function emit(result: BenchResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

/** `--name=value` or `--name value` from argv; `--flag` alone gives `''`. */
export function arg(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[i + 1] : '';
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** A positive count from argv, env or a default; accepts `5M`, `100k`, `1_000_000`. */
export function count(name: string, env: string, fallback: number): number {
  const raw = arg(name) ?? process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw.replace(/_/g, ''));
  if (!m) throw new Error(`--${name} / ${env}: expected a count like 500k or 5M, got ${raw}`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1));
}

export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs `f`; returns its value, wall seconds and process CPU seconds (all threads, user + system). */
export async function timed<T>(f: () => Promise<T> | T): Promise<[T, number, number]> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await f();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return [value, wall, (used.user + used.system) / 1e6];
}

/**
 * Runs a TypeScript file in a fresh Node (with tsx), streaming its output
 * through, and returns the {@link BenchResult}s and other `PREFIX json`
 * lines it printed.
 */
export function runChild(file: string, args: readonly string[], extraPrefix?: string): Promise<{ results: BenchResult[]; extra: unknown[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=asof-source', '--import', 'tsx', file, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    const results: BenchResult[] = [];
    const extra: unknown[] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith(RESULT_PREFIX)) results.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult);
        else if (extraPrefix && line.startsWith(extraPrefix)) extra.push(JSON.parse(line.slice(extraPrefix.length)));
        else process.stdout.write(line + '\n');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve({ results, extra });
      else reject(new Error(`${file} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

/**
 * Runs a benchmark module's `run` when the module is the entry point: as a
 * child of bench/run.ts it emits result lines, on its own it prints a table.
 * Packages resolve to their TypeScript sources under the `asof-source`
 * export condition, which `pnpm bench` and {@link runChild} pass to Node.
 */
export async function runIfMain(moduleUrl: string, run: () => Promise<BenchResult[]>): Promise<void> {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const results = await run();
  if (process.env.BENCH_CHILD) for (const r of results) emit(r);
  else console.log('\n' + formatTable(results));
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.bench,
    r.step,
    r.seconds.toFixed(3),
    r.cpuSeconds === undefined ? '' : r.cpuSeconds.toFixed(2),
    r.rows === undefined || r.seconds === 0 ? '' : formatRate(r.rows / r.seconds),
    r.peakRssMiB === undefined ? '' : String(r.peakRssMiB),
    r.note ?? '',
  ]);
  const header = ['bench', 'step', 'seconds', 'cpu s', 'rows/s', 'peak RSS MiB', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)}k` : perSecond.toFixed(0);
}
