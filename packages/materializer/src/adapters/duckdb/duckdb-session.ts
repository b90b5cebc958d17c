import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AsofError } from '@asof/core';

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
      const reader = await this.connection.runAndReadAll(sql);
      const types = reader.columnTypes();
      const columns = reader.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
      const rows = reader.getRows().map((row) => row.map(cell));
      return { columns, rows };
    } catch (error) {
      throw new AsofError('INVALID_INPUT', `DuckDB: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function cell(value: unknown): SqlCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  return String(value);
}
