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

/**
 * `work`'s result, mapped; when `work` fails with a PartialFailure, the same failure (same message,
 * the original as its cause) with its result mapped. A function fails with a PartialFailure of its
 * own result type only: that is the one assumption made here, so callers need no cast.
 */
export async function mapPartialFailure<T, R>(work: Promise<T>, map: (result: T) => R): Promise<R> {
  let result: T;
  try {
    result = await work;
  } catch (error) {
    if (error instanceof PartialFailure) throw new PartialFailure(error.message, map(error.result as T), { cause: error });
    throw error;
  }
  return map(result);
}

/** `work`, with `onFailure` shown what was done when it fails with a PartialFailure (it still fails, unchanged). */
export async function onPartialFailure<T>(work: Promise<T>, onFailure: (result: T) => void): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PartialFailure) onFailure(error.result as T);
    throw error;
  }
}
