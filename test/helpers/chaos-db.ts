/**
 * Reads a running (or stopped) service's SQLite file from the test process, the way an operator
 * would: a separate connection that only ever SELECTs, so it cannot disturb what it observes.
 */
import { createServer } from "node:net";
import Database from "better-sqlite3";

export type ObjectRow = {
  id: string;
  asset_id: string;
  state: string;
  reason: string | null;
  message: string | null;
  version: number;
};

export type QueueSnapshot = { pending: number; running: number; dead: number };

export class ServiceDatabaseReader {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
  }

  objects(): ObjectRow[] {
    return this.db
      .prepare("SELECT id, asset_id, state, reason, message, version FROM objects")
      .all() as ObjectRow[];
  }

  queue(): QueueSnapshot {
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() as Array<{
      status: string;
      n: number;
    }>;
    const count = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    return { pending: count("pending"), running: count("running"), dead: count("dead") };
  }

  count(sql: string, ...params: unknown[]): number {
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  integrityCheck(): string[] {
    return (this.db.pragma("integrity_check") as Array<{ integrity_check: string }>).map(
      (row) => row.integrity_check,
    );
  }

  close(): void {
    this.db.close();
  }
}

/** A loopback port that was free a moment ago (the service is restarted on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
