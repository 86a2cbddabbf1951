/** What a `mux-ingest` subcommand is: its help, and a loader for the runner that returns the exit code. */
export type CommandRun = (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;

export type Command = {
  summary: string;
  help: string;
  load(): Promise<CommandRun>;
};
