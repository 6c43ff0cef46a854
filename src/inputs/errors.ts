/** A problem with one input, found before any request is sent. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly expected: string,
    readonly got?: string,
    options?: { cause?: unknown },
  ) {
    super(`Input '${input}' ${expected}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}.`, options);
    this.name = 'InputError';
  }
}

/** Every input problem of one step, reported together as a single error. */
export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.length === 1 ? errors[0]!.message : `${errors.length} inputs are invalid: ${errors.map((e) => e.message).join(' ')}`);
    this.name = 'InputErrors';
  }
}

/**
 * Collects input problems so one run reports all of them at once.
 * `field(() => parse(...))` returns the parsed value, or undefined after recording the error.
 */
export class InputCollector {
  private readonly errors: InputError[] = [];

  field<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (error instanceof InputError) {
        this.errors.push(error);
        return undefined;
      }
      throw error;
    }
  }

  add(error: InputError): void {
    this.errors.push(error);
  }

  /** Throws the collected errors, if any; otherwise narrows the parsed values to defined. */
  done(): void {
    if (this.errors.length > 0) throw new InputErrors(this.errors);
  }
}
