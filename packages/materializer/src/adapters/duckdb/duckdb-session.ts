import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { AsofError, InvalidInputError } from '@asof/core';

/** A cell of a query result: DECIMAL, TIMESTAMP, DATE, LIST and the like arrive as their exact DuckDB text. */
export type SqlCell = string | number | bigint | boolean | null;

/** A materialized query result. */
export interface SqlResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly SqlCell[])[];
}

/**
 * An in-process DuckDB database (in memory), for `asof sql`. The only
 * module that imports `@duckdb/node-api`. Sessions run in UTC, so
 * TIMESTAMP WITH TIME ZONE values print as `…+00`.
 */
export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(options: { threads?: number } = {}): Promise<DuckDbSession> {
    const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckDbSession(instance, connection);
  }

  /** Runs statements that return nothing worth reading (CREATE VIEW, SET). */
  async run(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (error) {
      throw new AsofError('INVALID_INPUT', `DuckDB: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }

  /** Runs a query and reads every row. A SQL error is an `INVALID_INPUT` error with DuckDB's first message line. */
  async query(sql: string): Promise<SqlResult> {
    try {
      return resultOf(await this.connection.runAndReadAll(sql));
    } catch (error) {
      throw new AsofError('INVALID_INPUT', `DuckDB: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }

  /**
   * Closes the session to everything but reading, with DuckDB's own
   * settings rather than by inspecting SQL text: only the files in
   * `readable` (absolute paths or `s3://` URLs) can be opened, nothing else
   * on the machine and no directory, no extension is installed or loaded,
   * and no setting can change again (`lock_configuration`). Irreversible
   * for this session.
   */
  async lockDown(readable: readonly string[]): Promise<void> {
    const paths = [...new Set(readable)].map((p) => `'${p.replace(/'/g, "''")}'`);
    await this.run(`SET allowed_paths = [${paths.join(', ')}]`);
    await this.run('SET enable_external_access = false');
    await this.run('SET lock_configuration = true');
  }

  /**
   * Runs one read-only statement. DuckDB decides what it is before
   * anything runs: its parser must find exactly one statement, which
   * `json_serialize_sql` (parsing without binding; it serializes only
   * SELECT statements) accepts as a query; then its prepared statement type
   * must be SELECT. So COPY,
   * EXPORT, ATTACH, INSTALL/LOAD, SET/PRAGMA, CREATE, INSERT, CALL, EXPLAIN
   * (whose ANALYZE runs its statement) and several statements at once are
   * refused, and preparing (which can touch files for some statements) only
   * ever sees a query. The prepared statement itself runs, so what was
   * checked is what runs. Use after {@link lockDown}.
   */
  async queryReadOnly(sql: string): Promise<SqlResult> {
    // Parsing only (nothing is bound or prepared yet): how many statements, and whether each is a query.
    const statements = await this.duck(() => this.connection.extractStatements(sql));
    if (statements.count !== 1) throw new InvalidInputError(`asof sql runs exactly one query, got ${statements.count} statements; send them one at a time`);
    const parsed = await this.duck(async () => {
      const reader = await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      return JSON.parse(String(reader.getRows()[0]![0])) as { error?: boolean; error_type?: string; error_message?: string };
    });
    if (parsed.error) {
      if (parsed.error_type !== 'not implemented') throw new InvalidInputError(`DuckDB: ${parsed.error_message?.split('\n')[0] ?? 'the query does not parse'}`);
      throw new InvalidInputError(`asof sql is read-only: it runs a query (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE), not ${firstWord(sql)}`);
    }
    const prepared = await this.duck(() => statements.prepare(0));
    if (prepared.statementType !== StatementType.SELECT) {
      throw new InvalidInputError(`asof sql is read-only: it runs a query, not a ${StatementType[prepared.statementType] ?? 'non-query'} statement`);
    }
    return resultOf(await this.duck(() => prepared.runAndReadAll()));
  }

  /** Runs a DuckDB call; its errors become `INVALID_INPUT` errors with DuckDB's first message line. */
  private async duck<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new AsofError('INVALID_INPUT', `DuckDB: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** The statement's first word, for messages only (DuckDB's parser decides). */
function firstWord(sql: string): string {
  const word = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql)?.[1];
  return word ? word.toUpperCase() : 'this statement';
}

function resultOf(reader: DuckDBResultReader): SqlResult {
  const types = reader.columnTypes();
  const columns = reader.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
  return { columns, rows: reader.getRows().map((row) => row.map(cell)) };
}

function cell(value: unknown): SqlCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  return String(value);
}
