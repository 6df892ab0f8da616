// The one error type the command line treats as the user's fault: cli.ts prints its message as a
// single line `connsim: <message>` and exits with code 2. It holds no formatting or exit logic.

/** A problem with the user's input (arguments, files, scenario names). */
export class CliError extends Error {}

/** The first line of an error's message (a user error is always shown on one line). */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}
