// Errors of the CLI, each mapped once (in main.ts) to a message and an exit status.

/** Bad flags or arguments: the user has to change the command line (exit status 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The run cannot start or must stop for every line (unreadable input, rejected credentials): exit 2. */
export class FatalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A request that failed for good: an answer retrying will not change (4xx other than 429), or
 * a transient fault that outlasted every retry. The line is recorded as failed.
 */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The run was interrupted (SIGINT/SIGTERM): the line is neither done nor failed. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = new.target.name;
  }
}
