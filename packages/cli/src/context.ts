/**
 * Everything a command touches outside its arguments, so tests can run
 * commands in-process.
 */
export interface CliContext {
  env: Record<string, string | undefined>;
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
}

/** A failure to report to the user as one message, exiting with code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function processContext(): CliContext {
  return {
    env: process.env,
    out: line => process.stdout.write(`${line}\n`),
    err: line => process.stderr.write(`${line}\n`),
  };
}
