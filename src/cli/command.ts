/** What a `mux-ingest` subcommand is: its help, and a runner that returns the exit code. */
export type Command = {
  summary: string;
  help: string;
  run(args: string[], env: NodeJS.ProcessEnv): Promise<number>;
};
