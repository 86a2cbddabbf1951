#!/usr/bin/env node
// The published entry: runs the TypeScript CLI through tsx's loader, so there is no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
