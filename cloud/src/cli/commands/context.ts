/**
 * What a command group of `portier` gets from the program that registers it (admin.ts). Given, not imported, so
 * the command modules do not import admin.ts back.
 */

/** The API client of one run: URL and token from the global options, the environment or the token file. */
export interface ApiClient {
  /** Refuses with a CliError naming the API's error code, message and field. */
  call(method: string, path: string, body?: unknown, accept?: string): Promise<{ status: number; text: string }>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface CommandContext {
  client: () => Promise<ApiClient>;
  /** Whole stdin, for `--password-stdin`. */
  readStdin: () => Promise<string>;
  /** Prints `value` as JSON with `--json`, else the human text. */
  print: (value: unknown, human: () => string) => void;
  /** Rows as an aligned text table with a header line. */
  table: (rows: Record<string, unknown>[], columns: string[]) => string;
}
