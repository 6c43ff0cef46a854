/**
 * A failure after some of the work was done: `result` says what was done, so the caller can still
 * report it (outputs, a job summary) before failing.
 */
export class PartialFailure<R> extends Error {
  constructor(
    message: string,
    readonly result: R,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
