/**
 * The built packages as a user outside the workspace loads them: from
 * CommonJS (`require`, as a tslab cell compiles to) and ESM, with `.d.ts`
 * whose types a user's module can name (tslab emits a declaration for every
 * cell, so "inferred type … cannot be named" fails the cell). Each check
 * runs in a temp project whose `node_modules` links only the packages that
 * user would install.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, PACKAGES, REPO_ROOT } from '../helpers/build.js';

const HERE = join(REPO_ROOT, 'test', 'e2e', 'packaging');
let work: string;

/** A temp project whose node_modules/@asof holds links to the named built packages. */
function project(name: string, packages: readonly string[]): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules', '@asof'), { recursive: true });
  for (const p of packages) symlinkSync(join(REPO_ROOT, 'packages', p), join(dir, 'node_modules', '@asof', p), 'dir');
  return dir;
}

beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'asof-packaging-'));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('CommonJS', () => {
  it('require()s every built package and uses its Parquet, LMDB and DuckDB parts', async () => {
    const dir = project('cjs', PACKAGES);
    copyFileSync(join(HERE, 'require-built.cjs'), join(dir, 'require-built.cjs'));
    const root = join(dir, 'store');
    mkdirSync(root);
    const run = await promisify(execFile)(process.execPath, [join(dir, 'require-built.cjs'), root], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`require-built.cjs failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    });
    expect(run.stdout.trim().split('\n')).toEqual([
      'ok @asof/core',
      'ok @asof/stores (Parquet through parquet-wasm)',
      'ok @asof/materializer publishOnline (LMDB)',
      'ok @asof/materializer asof sql (DuckDB)',
      'ok @asof/sdk',
    ]);
  }, 120_000);
});

describe("the adapters' subpath exports", () => {
  it('require() each adapter subpath (@asof/stores/s3, /dynamodb, /lmdb, @asof/materializer/mysql)', async () => {
    const dir = project('cjs-subpaths', PACKAGES);
    copyFileSync(join(HERE, 'subpaths.cjs'), join(dir, 'subpaths.cjs'));
    const run = await node(dir, [join(dir, 'subpaths.cjs')]);
    expect(run.stdout.trim().split('\n')).toEqual(['ok @asof/stores/s3', 'ok @asof/stores/dynamodb', 'ok @asof/stores/lmdb', 'ok @asof/materializer/mysql']);
  }, 120_000);

  it('importing every package root loads no AWS client, DuckDB, mysql2 or lmdb; the subpaths load theirs', async () => {
    const dir = project('esm-roots', PACKAGES);
    copyFileSync(join(HERE, 'roots-load-no-adapters.mjs'), join(dir, 'roots-load-no-adapters.mjs'));
    const log = join(dir, 'loads.log');
    const run = await node(dir, ['--import', join(REPO_ROOT, 'test', 'e2e', 'lazy-loading', 'record-loads.mjs'), join(dir, 'roots-load-no-adapters.mjs')], { ASOF_LOAD_LOG: log });
    expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ roots: [] }, { subpaths: ['aws', 'mysql2', 'lmdb'] }]);
  }, 120_000);
});

/** Runs `node <args>` in `dir` as a user would (no NODE_OPTIONS from the test runner). */
function node(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`node ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  });
}

/** How tslab 1.0.22 compiles a cell (converter.ts), and how Node 20 users with `module: nodenext` compile `.cts` and `.mts`. */
const SETTINGS: Record<string, { ext: string; options: ts.CompilerOptions }> = {
  'tslab (node10, CommonJS)': { ext: '.ts', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true } },
  'nodenext .cts (require)': { ext: '.cts', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  'nodenext .mts (import)': { ext: '.mts', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
};

/** Compiles `fixture` in `dir` with declarations on; returns every diagnostic and the emitted `.d.ts`. */
function declare(dir: string, fixture: string, ext: string, options: ts.CompilerOptions): { errors: string[]; dts: string } {
  const file = join(dir, `cells${ext}`);
  copyFileSync(join(HERE, fixture), file);
  const program = ts.createProgram([file], {
    ...options,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    declaration: true,
    emitDeclarationOnly: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
    outDir: join(dir, 'out'),
  });
  let dts = '';
  const emitted = program.emit(undefined, (_name, text) => (dts += text));
  const errors = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map(
    (d) => `${d.file ? `${d.file.fileName}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
  return { errors, dts };
}

/** The module specifiers a declaration file refers to. */
function specifiers(dts: string): string[] {
  return [...new Set([...dts.matchAll(/(?:import\(|from )["']([^"']+)["']/g)].map((m) => m[1]!))].sort();
}

describe('declarations a user module can name (tsc --declaration against dist)', () => {
  for (const [name, { ext, options }] of Object.entries(SETTINGS)) {
    it(`${name}: a user with only @asof/sdk, string features`, () => {
      const { errors, dts } = declare(project(`sdk-only${ext}`, ['sdk']), 'sdk-only-cells.ts', ext, options);
      expect(errors).toEqual([]);
      expect(specifiers(dts)).toEqual(['@asof/sdk']);
      expect(dts).toMatch(/FeatureTable</);
    });

    it(`${name}: a user building the adapters from their subpath exports`, () => {
      const { errors, dts } = declare(project(`adapters${ext}`, ['core', 'stores', 'materializer']), 'adapter-cells.ts', ext, options);
      expect(errors).toEqual([]);
      expect(specifiers(dts)).toEqual(['@asof/materializer/mysql', '@asof/stores', '@asof/stores/dynamodb', '@asof/stores/lmdb', '@asof/stores/s3']);
    });

    it(`${name}: a user with definitions in @asof/core, typed refs, views and services`, () => {
      const { errors, dts } = declare(project(`typed${ext}`, ['core', 'sdk']), 'typed-cells.ts', ext, options);
      expect(errors).toEqual([]);
      // The row types themselves are checked inside typed-cells.ts (its `Equal` assertions).
      expect(specifiers(dts)).toEqual(['@asof/core', '@asof/sdk']);
    });
  }
});

describe("@asof/sdk's declarations", () => {
  it('export every @asof/core and @asof/stores type reachable from its public signatures', () => {
    const entry = join(REPO_ROOT, 'packages', 'sdk', 'dist', 'index.d.ts');
    const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true });
    const checker = program.getTypeChecker();
    const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
    const names = new Set(exported.map((s) => s.name));
    const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    // Walk the declarations of every exported symbol, following type references into core and stores (not into third-party packages).
    const seen = new Set<ts.Symbol>();
    const foreign = new Set<string>();
    const queue = exported.map(resolve);
    const visit = (node: ts.Node): void => {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeQueryNode(node) ? node.exprName : null;
      const symbol = name ? checker.getSymbolAtLocation(name) : undefined;
      if (symbol) queue.push(resolve(symbol));
      ts.forEachChild(node, visit);
    };
    while (queue.length > 0) {
      const symbol = queue.pop()!;
      if (seen.has(symbol) || symbol.flags & ts.SymbolFlags.TypeParameter) continue;
      seen.add(symbol);
      const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
      const inPackage = /\/packages\/(core|stores|sdk)\/dist\//.exec(file)?.[1];
      if (!inPackage) continue;
      if (inPackage !== 'sdk') foreign.add(symbol.name);
      for (const declaration of symbol.declarations ?? []) visit(declaration);
    }
    expect(foreign.size).toBeGreaterThan(20);
    expect([...foreign].filter((n) => !names.has(n)).sort()).toEqual([]);
  });
});
