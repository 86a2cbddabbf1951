import { parseEnv } from "../config/env";
import { appliedMigrations, openNodeDatabase } from "../db/node";
import type { Command } from "./command";
import { say } from "./output";

export const migrateCommand: Command = {
  summary: "Apply the database migrations",
  help: "Usage: mux-ingest migrate\n\nApplies migrations/ to $DATABASE_PATH (default ./data/mux-ingest.db). Safe to run repeatedly.",
  async run(_args, env) {
    const config = parseEnv(env);
    const database = openNodeDatabase(config.databasePath, { synchronous: config.databaseSynchronous });
    const applied = appliedMigrations(database);
    database.close();
    say(`Database ${config.databasePath} is up to date (${applied} migration(s) applied).`);
    return 0;
  },
};
