import { afterAll, expect, type RunnerTask } from "vitest";
/**
 * Collects the log lines of every harness a test file creates, so the file's last test can
 * check that no configured secret ever reached a log line.
 */
export class LogAudit {
  private readonly sources: string[][] = [];
  private readonly secrets = new Set<string>();

  watch(logs: string[]): void {
    this.sources.push(logs);
  }

  secret(...values: string[]): void {
    for (const value of values) this.secrets.add(value);
  }

  lineCount(): number {
    return this.sources.reduce((n, logs) => n + logs.length, 0);
  }

  /** Every (secret, line) pair where the line contains the secret. */
  leaks(): Array<{ secret: string; line: string }> {
    const found: Array<{ secret: string; line: string }> = [];
    for (const logs of this.sources) {
      for (const line of logs) {
        for (const secret of this.secrets) if (line.includes(secret)) found.push({ secret, line });
      }
    }
    return found;
  }
}

/**
 * The file's last word, as an `afterAll` hook: across every harness of the file, no secret
 * reached a log line. It is not vacuous: when every test of the file ran, more than
 * `minimumLines` lines were audited (a lone test run with `-t` may log nothing at all).
 */
export function auditLogsAfterAll(audit: LogAudit, minimumLines: number): void {
  // biome-ignore lint/correctness/noEmptyPattern: vitest passes the file as the second argument only.
  afterAll(({}, file) => {
    const ranAll = file.tasks.every(function ran(task: RunnerTask): boolean {
      return task.mode === "run" && (task.type !== "suite" || task.tasks.every(ran));
    });
    if (ranAll) expect(audit.lineCount()).toBeGreaterThan(minimumLines);
    expect(audit.leaks()).toEqual([]);
  });
}
