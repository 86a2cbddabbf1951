/**
 * `mux-ingest connections test [ID]`: asks Mux whether it accepts a stored connection's
 * credentials. Exit 0 if it does, 1 with the reason if not. Without an ID it tests the default
 * connection (from MUX_TOKEN_ID), or the only one there is.
 */
import { parseArgs } from "node:util";
import { parseEnv } from "../config/env";
import { describeError } from "../lib/errors";
import { openNode } from "../node/open-node";
import { testConnection } from "../resources/connection-test";
import { chooseConnection } from "../resources/connections";
import { cliLogOptions, usageError } from "./cli-options";
import { say, sayJson, warn } from "./output";

export async function runConnections(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: { values: { json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return usageError("connections", describeError(err));
  }
  const [sub, id, ...extra] = parsed.positionals;
  if (sub !== "test" || extra.length > 0)
    return usageError("connections", 'the only subcommand is "test [ID]"');

  const config = parseEnv(env);
  const node = await openNode(config, cliLogOptions(env));
  try {
    const connectionId = await chooseConnection(node.deps, { id });
    if (!connectionId.ok) {
      warn(`mux-ingest connections test: ${connectionId.message}`);
      return 1;
    }
    const result = await testConnection(node.deps, { id: connectionId.id });
    if (parsed.values.json) sayJson({ connection_id: connectionId.id, ...result });
    else if (result.success) say(`✓ ${connectionId.id}: ${result.message}`);
    else warn(`✗ ${connectionId.id}: ${result.message}`);
    return result.success ? 0 : 1;
  } finally {
    node.database.close();
  }
}
