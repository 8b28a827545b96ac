/** What a command group of the admin CLI (a module of this folder) gets from `admin.ts`, which registers it. */

/** The HTTP API client of the global options (`--url`, token): errors already turned into `CliError`s. */
export interface ApiClient {
  call(method: string, path: string, body?: unknown, accept?: string): Promise<{ status: number; text: string }>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface CommandContext {
  client(): Promise<ApiClient>;
  /** Prints `value` as JSON with the global `--json`, else what `human` renders. */
  print(value: unknown, human: () => string): void;
}
