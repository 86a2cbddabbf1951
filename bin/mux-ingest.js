#!/usr/bin/env node
// The `mux-ingest` command: the CLI compiled by `npm run build` into dist/, on plain node.
import "../dist/cli.js";
