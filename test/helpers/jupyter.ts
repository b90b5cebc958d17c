/**
 * Jupyter with the tslab kernel for tests that execute real notebooks,
 * installed by the project's own script (`scripts/notebooks/install.sh`,
 * idempotent, a second or so once installed), as `services.ts` starts
 * services. Nothing here skips: a kernel that cannot run fails the test
 * with the script's or nbconvert's own message.
 *
 * ```ts
 * const jupyter = ensureJupyter();
 * const notebook = await executeNotebook(jupyter, 'examples/notebooks/x.ipynb', { env: { ASOF_ROOT: root } });
 * ```
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './build.js';

/** What `install.sh` installed. */
export interface Jupyter {
  /** The Python that has nbconvert, nbclient and ipykernel (Debian's /usr/bin/python3). */
  readonly python: string;
  /** The tslab binary the registered kernel spec names. */
  readonly tslab: string;
}

/** One output of an executed cell, as nbformat stores it. */
export interface CellOutput {
  readonly output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  readonly name?: 'stdout' | 'stderr';
  readonly text?: string | string[];
  readonly data?: Readonly<Record<string, string | string[]>>;
  readonly ename?: string;
  readonly evalue?: string;
}

/** A code cell after execution. */
export interface ExecutedCell {
  readonly source: string;
  readonly outputs: readonly CellOutput[];
}

/** apt and npm on a fresh machine; a few checks otherwise. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

let installed: Jupyter | null = null;

/** Installs (if needed) Jupyter's Debian packages and tslab, registers the kernel, and says where they are. */
export function ensureJupyter(): Jupyter {
  if (installed) return installed;
  const script = join(REPO_ROOT, 'scripts', 'notebooks', 'install.sh');
  let out: string;
  try {
    out = execFileSync('bash', [script], { cwd: REPO_ROOT, timeout: INSTALL_TIMEOUT_MS, stdio: 'pipe', maxBuffer: 16 << 20 }).toString();
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`scripts/notebooks/install.sh failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? e.message}`);
  }
  const values = Object.fromEntries([...out.matchAll(/^(ASOF_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  if (!values.ASOF_JUPYTER_PYTHON || !values.ASOF_TSLAB) throw new Error(`scripts/notebooks/install.sh printed no ASOF_JUPYTER_PYTHON/ASOF_TSLAB:\n${out}`);
  installed = { python: values.ASOF_JUPYTER_PYTHON, tslab: values.ASOF_TSLAB };
  return installed;
}

/**
 * Executes `notebook` headless in the tslab kernel (nbconvert, in the
 * notebook's own folder, as Jupyter runs it) and returns its code cells
 * with their outputs. The notebook file itself is not changed. Throws if
 * any cell fails, with that cell and what it printed (tslab reports
 * compile diagnostics and thrown errors on stderr, not in the reply
 * nbconvert's own message quotes).
 */
export async function executeNotebook(jupyter: Jupyter, notebook: string, options: { env?: Readonly<Record<string, string>>; timeoutSeconds?: number } = {}): Promise<ExecutedCell[]> {
  const out = await mkdtemp(join(tmpdir(), 'asof-notebook-'));
  try {
    const args = [
      '-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors',
      '--ExecutePreprocessor.kernel_name=tslab',
      `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 300}`,
      '--output-dir', out, '--output', basename(notebook),
      notebook,
    ];
    await promisify(execFile)(jupyter.python, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      maxBuffer: 64 << 20,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`executing ${notebook} in the tslab kernel failed:\n${error.stderr || error.stdout || error.message}`);
    });
    const executed = JSON.parse(await readFile(join(out, basename(notebook)), 'utf8')) as { cells: { cell_type: string; source: string | string[]; outputs?: CellOutput[] }[] };
    const cells = executed.cells.filter((c) => c.cell_type === 'code').map((c) => ({ source: joined(c.source), outputs: c.outputs ?? [] }));
    const failed = cells.findIndex((c) => problemsOf(c).length > 0);
    if (failed >= 0) {
      throw new Error(`code cell ${failed + 1} of ${notebook} failed in the tslab kernel:\n${cells[failed]!.source}\n--- it printed:\n${problemsOf(cells[failed]!).join('\n')}`);
    }
    return cells;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Writes a notebook for the tslab kernel whose code cells are `sources`, in order. */
export async function writeNotebook(path: string, sources: readonly string[]): Promise<void> {
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source }));
  const metadata = { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } };
  await writeFile(path, `${JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`);
}

/** Every `text/html` the cell displayed. */
export function htmlOf(cell: ExecutedCell): string[] {
  return cell.outputs.flatMap((o) => (o.data?.['text/html'] !== undefined ? [joined(o.data['text/html'])] : []));
}

/** What the cell wrote to stdout. */
export function stdoutOf(cell: ExecutedCell): string {
  return cell.outputs.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => joined(o.text ?? '')).join('');
}

/** Error outputs and stderr, which tslab uses for compile diagnostics and thrown errors. */
export function problemsOf(cell: ExecutedCell): string[] {
  return cell.outputs
    .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
    .map((o) => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : joined(o.text ?? '')));
}

function joined(text: string | readonly string[]): string {
  return typeof text === 'string' ? text : text.join('');
}
