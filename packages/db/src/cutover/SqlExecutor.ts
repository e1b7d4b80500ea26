/** The little the cutover needs from a connection: run SQL inside the current transaction. */
export interface SqlExecutor {
  /** Rows of a query. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows it affected. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}
