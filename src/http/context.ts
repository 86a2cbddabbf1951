/** The Hono environment: the services every handler reads from `c.var`, typed once. */

import type { Logger } from "../lib/logger";
import type { AppServices } from "../service-graph";

export type AppEnv = {
  Variables: {
    services: AppServices;
    requestId: string;
    logger: Logger;
  };
};
