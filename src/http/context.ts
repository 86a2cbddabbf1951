/** The Hono environment: what every handler reads from `c.var`, typed once. */
import type { Logger } from "../lib/logger";
import type { HttpSettings } from "../settings";
import type { Deps } from "../sync/deps";

export type HttpEnv = {
  Variables: {
    deps: Deps;
    http: HttpSettings;
    requestId: string;
    logger: Logger;
  };
};
