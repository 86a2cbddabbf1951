import { parseEnv } from "../config/env";
import { appliedMigrations, openNodeDatabase } from "../db/node";
import { say } from "./output";

export async function runMigrate(_args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = parseEnv(env);
  const database = openNodeDatabase(config.databasePath, { synchronous: config.databaseSynchronous });
  const applied = appliedMigrations(database);
  database.close();
  say(`Database ${config.databasePath} is up to date (${applied} migration(s) applied).`);
  return 0;
}
