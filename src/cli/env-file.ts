/**
 * `--env-file PATH` (or `--env-file=PATH`, repeatable, anywhere on the command line, for every
 * command): variables read with Node's own `.env` parser (`util.parseEnv`, the one behind
 * `node --env-file`). A later file overrides an earlier one, and the process environment
 * overrides every file, so `PORT=9000 mux-ingest serve --env-file .env` serves on 9000.
 */
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { AppError } from "../lib/errors";

const FLAG = "--env-file";

/** Splits the `--env-file` options from the rest of the arguments. */
export function takeEnvFiles(argv: readonly string[]): { args: string[]; files: string[] } {
  const args: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === FLAG) {
      const path = argv[i + 1];
      if (path === undefined || path.startsWith("--"))
        throw new AppError("VALIDATION", `${FLAG} needs a path`);
      files.push(path);
      i++;
    } else if (arg.startsWith(`${FLAG}=`)) {
      const path = arg.slice(FLAG.length + 1);
      if (path === "") throw new AppError("VALIDATION", `${FLAG} needs a path`);
      files.push(path);
    } else {
      args.push(arg);
    }
  }
  return { args, files };
}

/** The environment a command sees: the files in order, then the process environment over them. */
export function environmentWith(files: readonly string[], processEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const fromFiles: Record<string, string> = {};
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw new AppError("VALIDATION", `${FLAG} ${path}: cannot read the file (${code})`);
    }
    Object.assign(fromFiles, parseEnv(text));
  }
  return { ...fromFiles, ...processEnv };
}
