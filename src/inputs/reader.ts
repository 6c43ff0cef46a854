// Reads raw input values by the names declared in action.yml, applying its defaults. The same
// reader serves the actions (values from the runner) and the CLI (values from flags).
import { actionSpecs, type ActionName, type InputName } from '../generated/action-specs.js';
import { InputError } from './errors.js';

/** Raw value of an input as given ('' or undefined when not given). */
export type RawInputs = (name: string) => string | undefined;

export class InputReader<A extends ActionName> {
  constructor(
    private readonly action: A,
    private readonly raw: RawInputs,
  ) {}

  /** The given value, else the action.yml default, else ''. */
  get(name: InputName<A>): string {
    const value = this.raw(name);
    if (value !== undefined && value.trim() !== '') return value;
    const spec = (actionSpecs[this.action].inputs as Record<string, { default?: string }>)[name];
    // An expression default (`${{ github.token }}`) is the runner's to evaluate: elsewhere it is unset.
    const fallback = spec?.default ?? '';
    return fallback.includes('${{') ? '' : fallback;
  }

  /** Like get, but an empty value is an error. */
  required(name: InputName<A>, form: string): string {
    const value = this.get(name).trim();
    if (value === '') throw new InputError(name, `is required: ${form}`);
    return value;
  }

  /** The value, or undefined when it is empty (inputs whose default comes from the environment). */
  optional(name: InputName<A>): string | undefined {
    const value = this.get(name).trim();
    return value === '' ? undefined : value;
  }
}

/**
 * What a definition reads besides its inputs. The driver passes it: no parser reads process.env or
 * process.cwd() on its own.
 */
export interface ActionEnvironment {
  /** Environment variables: the AWS SDK's settings, a workflow run's GITHUB_* context. */
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are read from. */
  readonly cwd: string;
  /**
   * step: a step of a workflow run on the Actions runner (a re-run of it is the same step; it can hand
   * files to later steps); command: the slipway command line.
   */
  readonly as: 'step' | 'command';
}
