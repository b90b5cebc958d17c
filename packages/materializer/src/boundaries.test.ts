/**
 * The materializer's layering, checked by scanning imports: the engine
 * (and everything else outside `cli/` but the package index) never
 * imports the CLI, its shell; only an adapter's folder imports its client
 * library.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(SRC, 'cli');

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The module specifiers a file names: static imports and re-exports, and dynamic `import()`. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** `file`'s imports that resolve into `dir`. */
function importsInto(file: string, dir: string): string[] {
  return specifiers(readFileSync(file, 'utf8')).filter((s) => s.startsWith('.') && (path.resolve(path.dirname(file), s) + path.sep).startsWith(dir + path.sep));
}

describe('materializer boundaries', () => {
  it('the scan finds static, re-exported, side-effect and dynamic imports', () => {
    const text = `import { a } from '../cli/a.js';\nexport type { B } from "../cli/b.js";\nimport '../cli/c.js';\nconst d = await import('../cli/d.js');\nimport {\n  e,\n} from '../cli/e.js';`;
    expect(specifiers(text).sort()).toEqual(['../cli/a.js', '../cli/b.js', '../cli/c.js', '../cli/d.js', '../cli/e.js']);
  });

  it('nothing outside cli/ imports from cli/ (the engine owns its logger, port and errors)', () => {
    // The package index is its public surface, which offers the CLI (runCli, the registry file) as well.
    const surface = path.join(SRC, 'index.ts');
    const offenders = sources(SRC)
      .filter((file) => !(file + path.sep).startsWith(CLI + path.sep) && file !== fileURLToPath(import.meta.url) && file !== surface)
      .flatMap((file) => importsInto(file, CLI).map((s) => `${path.relative(SRC, file)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it("only an adapter's folder imports its client library", () => {
    const clients: Record<string, string> = { mysql2: 'adapters/mysql', '@duckdb/node-api': 'adapters/duckdb' };
    const offenders = sources(SRC).flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((s) => Object.keys(clients).some((c) => s === c || s.startsWith(`${c}/`)))
        .filter((s) => !path.relative(SRC, file).startsWith(clients[Object.keys(clients).find((c) => s === c || s.startsWith(`${c}/`))!]! + path.sep))
        .map((s) => `${path.relative(SRC, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
