// The adapter between the Actions runner and the library: inputs in, outputs and summary out, one
// failure message. Every action's main.ts is a call to runAction.
import * as core from '@actions/core';
import { describeError } from '../lib/aws/errors.js';
import type { RawInputs } from '../inputs/reader.js';
import type { Logger } from '../lib/log/logger.js';
import { PartialFailure } from '../lib/util/partial-failure.js';

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
};

/** Inputs as the runner passes them; undefined when not set at all. */
export const runnerInputs: RawInputs = (name) => {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return value === undefined ? undefined : value;
};

export interface ActionOutcome {
  outputs: Record<string, string>;
  summary: string;
}

async function report(outcome: ActionOutcome): Promise<void> {
  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
  // Older GitHub Enterprise Server runners and other CI systems have no job summary: the work is
  // done, so say it could not be shown rather than fail the step (and skip the steps after it).
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.warning('No job summary was written: GITHUB_STEP_SUMMARY is not set on this runner. The outputs are set as usual.');
    return;
  }
  await core.summary.addRaw(outcome.summary).write();
}

/** Runs one action: a single top-level catch, one `::error::`, exit code 1 on any failure. */
export async function runAction(run: (inputs: RawInputs, log: Logger) => Promise<ActionOutcome>): Promise<void> {
  try {
    await report(await run(runnerInputs, actionsLogger));
  } catch (error) {
    // A failure after some of the work: report what was done, then fail.
    if (error instanceof PartialFailure) await report(error.result as ActionOutcome).catch(() => undefined);
    core.setFailed(describeError(error));
  }
}
