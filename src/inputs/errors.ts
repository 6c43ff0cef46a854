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

/** One parsed input: its value, or failed (its error is with the collector). */
export type Field<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly value?: undefined };

/** The values of parsed fields, by name. */
export type FieldValues<F> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

const FAILED: Field<never> = { ok: false };

/**
 * Collects input problems so one run reports all of them at once. `field(() => parse(...))` parses one
 * input (a field's `.value` serves checks across inputs, undefined when it failed); `done({ ...fields })`
 * throws every problem together, or returns the fields' values, typed.
 */
export class InputCollector {
  private readonly errors: InputError[] = [];

  field<T>(parse: () => T): Field<T> {
    try {
      return { ok: true, value: parse() };
    } catch (error) {
      if (error instanceof InputError) this.errors.push(error);
      else if (error instanceof InputErrors) this.errors.push(...error.errors);
      else throw error;
      return FAILED;
    }
  }

  /** A field parsed from others' values: it fails, with no error of its own, when one of them failed. */
  from<F extends Record<string, Field<unknown>>, R>(fields: F, parse: (values: FieldValues<F>) => R): Field<R> {
    const values: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(fields)) {
      if (!field.ok) return FAILED;
      values[name] = field.value;
    }
    return this.field(() => parse(values as FieldValues<F>));
  }

  add(error: InputError): void {
    this.errors.push(error);
  }

  /** Throws the collected errors, if any; otherwise the fields' values. */
  done<F extends Record<string, Field<unknown>>>(fields: F): FieldValues<F> {
    if (this.errors.length > 0) throw new InputErrors(this.errors);
    const values: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(fields)) {
      // A field fails only where an error was recorded, so this is a bug, not an input problem.
      if (!field.ok) throw new Error(`The input field ${name} failed without an error`);
      values[name] = field.value;
    }
    return values as FieldValues<F>;
  }
}
