#!/usr/bin/env -S node --max-semi-space-size=2
// The `mux-ingest` command: the CLI compiled by `npm run build` into dist/, on plain node, with
// the young generation bounded (src/node/heap-policy.ts, YOUNG_GENERATION_FLAG), so a long
// reconciliation pass's memory stays flat; `env -S` passes node its flag.
import "../dist/cli.js";
