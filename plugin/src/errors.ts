// Exit codes a script can rely on, and the errors that carry them.

/** Success. */
export const EXIT_OK = 0;
/** The API refused or failed (not found, forbidden, conflict, unreachable), or there was nothing to do (nothing to approve). */
export const EXIT_FAILED = 1;
/** The command line is wrong: an unknown command or flag, a missing argument, a bad value. */
export const EXIT_USAGE = 2;

/** A mistake on the command line: exit code 2, with a hint to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A refusal by the plugin itself (nothing to approve, no such rollout): exit code 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}
