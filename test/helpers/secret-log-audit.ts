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
