import { parseEnv } from "../config/env";
import { openNodeDatabase } from "../db/node";
import type { Command } from "./commands";

export const migrateCommand: Command = {
  summary: "Apply the database migrations",
  help: "Usage: mux-ingest migrate\n\nApplies migrations/ to $DATABASE_PATH (default ./data/mux-ingest.db). Safe to run repeatedly.",
  async run(_args, env) {
    const config = parseEnv(env);
    const database = openNodeDatabase(config.databasePath);
    const row = database.sqlite.prepare("select count(*) as n from __drizzle_migrations").get() as {
      n: number;
    };
    database.close();
    console.log(`Database ${config.databasePath} is up to date (${row.n} migration(s) applied).`);
    return 0;
  },
};
