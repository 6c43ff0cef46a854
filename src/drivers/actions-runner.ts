// The Actions runner driver: runs one action's definition as a workflow step. Inputs from INPUT_*
// variables, secrets masked before anything is logged, outputs and the job summary written, one failure
// message. Every action's main.ts is one call to runAction.
import * as core from '@actions/core';
import { partialReport, type Action, type Report } from '../actions/definition.js';
import { describeError } from '../lib/aws/errors.js';
import type { ActionEnvironment, RawInputs } from '../inputs/reader.js';
import type { Logger } from '../lib/log/logger.js';
import { systemClock } from '../lib/util/clock.js';

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

async function report({ outputs, summary }: Report): Promise<void> {
  for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value);
  // Older GitHub Enterprise Server runners and other CI systems have no job summary: the work is
  // done, so say it could not be shown rather than fail the step (and skip the steps after it).
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.warning('No job summary was written: GITHUB_STEP_SUMMARY is not set on this runner. The outputs are set as usual.');
    return;
  }
  await core.summary.addRaw(summary).write();
}

/** Runs one action as a step: a single top-level catch, one `::error::`, exit code 1 on any failure. */
export async function runAction(action: Action): Promise<void> {
  const env: ActionEnvironment = { vars: process.env, cwd: process.cwd(), as: 'step' };
  try {
    const run = action.prepare(runnerInputs, env);
    for (const secret of run.secrets) core.setSecret(secret);
    actionsLogger.debug(`settings: ${run.logged}`);
    await report(await run.run({ log: actionsLogger, clock: systemClock, env }));
  } catch (error) {
    // A failure after part of the work: report what was done, then fail.
    const done = partialReport(error);
    if (done) await report(done).catch(() => undefined);
    core.setFailed(describeError(error));
  }
}
