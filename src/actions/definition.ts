// What an action is, once, for both drivers: how its inputs parse into settings, what it runs and with
// which clients, its outputs, its summary, and what no log may show. The Actions runner driver and the
// slipway CLI run any definition the same way; adding an action is one folder with a definition.ts.
import type { ActionName, OutputName } from '../generated/action-specs.js';
import type { ActionEnvironment, RawInputs } from '../inputs/reader.js';
import type { Logger } from '../lib/log/logger.js';
import type { Clock } from '../lib/util/clock.js';
import { mapPartialFailure, PartialFailure } from '../lib/util/partial-failure.js';

/** What every run gets from its driver, besides the clients its definition creates. */
export interface Runtime {
  log: Logger;
  clock: Clock;
  env: ActionEnvironment;
}

/**
 * One action. `S` its settings, `C` the clients it talks to, `R` what a run returns: on failure after
 * part of the work, `run` throws a PartialFailure<R> that says what was done.
 */
export interface ActionDefinition<A extends ActionName, S, C, R> {
  name: A;
  /** The inputs (and the environment the driver passes) as typed settings; InputError(s) before any request. */
  settings(inputs: RawInputs, env: ActionEnvironment): S;
  /** Values no log may show: the runner masks them before anything is logged. */
  secrets?(settings: S): string[];
  /** The settings as the debug log shows them (default: as they are); the secrets are masked in any case. */
  logged?(settings: S): unknown;
  /** The clients it talks to, made once the settings are known. */
  clients(settings: S, env: ActionEnvironment): C;
  run(settings: S, deps: C & Runtime): Promise<R>;
  outputs(settings: S, result: R): Partial<Record<OutputName<A>, string>>;
  /** The job summary, as Markdown. */
  summary(settings: S, result: R): string;
  /** `slipway <name> --help` examples. */
  examples: readonly string[];
}

/** What a run tells the workflow (outputs) and the person reading it (summary). */
export interface Report {
  /** An output left out is not set. */
  outputs: Partial<Record<string, string>>;
  summary: string;
}

/** A run whose settings parsed: what to mask and log first, then the work. */
export interface PreparedRun {
  secrets: string[];
  /** The settings for the debug log, as one line, secrets masked. */
  logged: string;
  /** The work and its report; on failure after part of it, a PartialFailure whose result is the Report. */
  run(runtime: Runtime): Promise<Report>;
}

/** A definition with its types closed over: what the drivers hold a list of. */
export interface Action {
  name: ActionName;
  examples: readonly string[];
  /** Parses the settings (InputError or InputErrors, before any request). */
  prepare(inputs: RawInputs, env: ActionEnvironment): PreparedRun;
}

const MASK = '***';

export function defineAction<A extends ActionName, S, C, R>(definition: ActionDefinition<A, S, C, R>): Action {
  return {
    name: definition.name,
    examples: definition.examples,
    prepare(inputs, env) {
      const settings = definition.settings(inputs, env);
      const secrets = definition.secrets?.(settings).filter((s) => s !== '') ?? [];
      const shown = definition.logged ? definition.logged(settings) : settings;
      const report = (result: R): Report => ({
        outputs: definition.outputs(settings, result),
        summary: definition.summary(settings, result),
      });
      return {
        secrets,
        logged: JSON.stringify(shown, (_key, value: unknown) => (typeof value === 'string' && secrets.includes(value) ? MASK : value)),
        run: (runtime) => mapPartialFailure(definition.run(settings, { ...definition.clients(settings, env), ...runtime }), report),
      };
    },
  };
}

/** The report a failed run still has (what was done before it failed), if any. */
export function partialReport(error: unknown): Report | undefined {
  // PreparedRun.run fails only with a PartialFailure<Report> (defineAction maps each run's own).
  return error instanceof PartialFailure ? (error.result as Report) : undefined;
}
