/**
 * The end-to-end tier runs the command as an operator does (`bin/mux-ingest.js`, which loads the
 * build), so it builds `dist/` from the current sources once before its first test.
 */
import { buildDist } from "../../scripts/build";

export async function setup(): Promise<void> {
  await buildDist();
}
