// Running a step: the inputs the scenario gives (the runner fills in the action.yml defaults, the
// job's token for github-token included), a clean environment (nothing of the caller's AWS or
// GitHub settings leaks in), the summary printed; and what the run records of it, written to
// --report and printed as the table at the end.
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { readActionSpecs } from '../lib/action-specs.mjs';

const STEP_TIMEOUT_MS = 45_000;
const SUMMARY_LINES = 40;

/**
 * @typedef {object} StepRecord
 * @property {string} section
 * @property {string} name
 * @property {string} action
 * @property {number | null} exitCode null: killed, or never ran
 * @property {boolean} ran
 * @property {string} status the action's status output, else ok / failed / not run
 * @property {Record<string, string>} outputs
 * @property {string} key the outputs worth a glance
 * @property {number} durationMs
 */

/** @typedef {{ section: string, what: string, ok: boolean, detail: string }} CheckRecord */

/** @typedef {{ steps: StepRecord[], checks: CheckRecord[], evidence: Record<string, unknown> }} RunRecord */

/** A step a scenario plans: its name in the report and the action it runs. @typedef {{ name: string, action: string }} PlannedStep */

/** Unset every variable of the caller that could reach a real account or the real GitHub. */
const scrubbed = /** @type {Record<string, string | undefined>} */ (
  Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => /^(AWS_|GITHUB_|ACTIONS_|RUNNER_|HTTPS?_PROXY$|https?_proxy$)/.test(k))
      .map((k) => [k, undefined]),
  )
);

/** @param {string} text @param {number} max */
function trimmed(text, max) {
  const lines = text.trimEnd().split('\n');
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max), `… (${lines.length - max} more lines)`].join('\n');
}
export const indent = (/** @type {string} */ text) =>
  text
    .split('\n')
    .map((l) => `  │ ${l}`)
    .join('\n');

/** A switch's propagation-ms output, as the report says it. @param {Record<string, string>} o */
const served = (o) => (o['propagation-ms'] ? `, everywhere in ${(Number(o['propagation-ms']) / 1000).toFixed(1)} s` : '');

/** Outputs worth a glance, per action. @param {string} action @param {Record<string, string>} o */
function keyOutputs(action, o) {
  switch (action) {
    case 'deploy-static':
      return o['release-id']
        ? `release ${o['release-id']}${o['previous-release-id'] ? ` (was ${o['previous-release-id']})` : ''}, uploaded ${o.uploaded ?? '?'}, skipped ${o.skipped ?? '?'}${served(o)}`
        : `uploaded ${o.uploaded ?? '?'}, skipped ${o.skipped ?? '?'}, deleted ${o.deleted ?? '?'}, changed ${o['changed-paths'] ?? '?'}`;
    case 'invalidate':
      return `paths ${o.paths ?? '?'}`;
    case 'release':
      return `live ${o['release-id'] ?? '?'}${o['previous-release-id'] ? ` (was ${o['previous-release-id']})` : ''}${served(o)}`;
    case 'pr-preview':
      return `${o.url ?? ''} ${o.prefix ? `(s3://${o.bucket ?? '?'}/${o.prefix})` : ''}`.trim();
    case 'ecs-deploy':
      return `${(o['previous-task-definition-arn'] ?? '?').split('/').pop()} → ${(o['task-definition-arn'] ?? '?').split('/').pop()}, ${o.image ?? ''}`;
    default:
      return '';
  }
}

/**
 * The step runner of one demo run, recording into `record`.
 * @param {{ root: string, record: RunRecord, track: (child: import('node:child_process').ChildProcess) => void }} options
 */
export function createStepRunner({ root, record, track }) {
  const specs = new Map(readActionSpecs(root).map((s) => [s.name, s]));

  /** A scenario's typo fails the demo; the runner (stand-ins/action-runner.mjs) fills in the defaults. @param {string} action @param {Record<string, string>} inputs */
  function checked(action, inputs) {
    const spec = specs.get(action);
    if (!spec) throw new Error(`no action ${action}`);
    for (const name of Object.keys(inputs)) if (!(name in spec.inputs)) throw new Error(`${action} has no input ${name}`);
    return inputs;
  }

  let stepNumber = 0;
  /**
   * Runs one action bundle as a workflow step. Throws when it fails, which ends its scenario.
   * @param {string} section @param {PlannedStep} planned
   * @param {Record<string, string>} inputs @param {Record<string, string | undefined>} env
   */
  async function step(section, { name, action }, inputs, env) {
    const n = ++stepNumber;
    console.log(`\n── ${n}. ${name}  [${action}]`);
    const started = performance.now();
    const run = await runActionBundle(action, checked(action, inputs), {
      env: { ...scrubbed, ...env },
      timeoutMs: STEP_TIMEOUT_MS,
      onSpawn: track,
    });
    const durationMs = Math.round(performance.now() - started);
    const ok = run.exitCode === 0;
    const key = ok ? keyOutputs(action, run.outputs) : (run.errors[0] ?? '').replace(/^::error[^:]*::/, '');
    record.steps.push({
      section,
      name,
      action,
      exitCode: run.exitCode,
      ran: true,
      status: run.outputs.status ?? (ok ? 'ok' : 'failed'),
      outputs: run.outputs,
      key,
      durationMs,
    });
    if (run.summary.trim()) console.log(indent(trimmed(run.summary, SUMMARY_LINES)));
    for (const line of run.stdout.split('\n').filter((l) => /^::(warning|error)/.test(l))) console.log(`  ${line}`);
    console.log(
      `  outputs: ${
        Object.entries(run.outputs)
          .map(([k, v]) => `${k}=${v}`)
          .join('  ') || '(none)'
      }`,
    );
    console.log(`  ${ok ? 'ok' : `FAILED (exit ${run.exitCode ?? run.signal})`} in ${(durationMs / 1000).toFixed(1)} s`);
    if (!ok) {
      const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
      console.log(indent(tail));
      throw new Error(`${name}: ${action} exited ${run.exitCode ?? run.signal}`);
    }
    return run;
  }

  /** Records a claim the demo makes, checked against the endpoints' state. @param {string} section @param {string} what @param {boolean} ok @param {string} [detail] */
  function check(section, what, ok, detail = '') {
    record.checks.push({ section, what, ok, detail });
    console.log(`  ${ok ? '✓' : '✗'} ${what}${detail ? `: ${detail}` : ''}`);
  }

  /** Steps of a section that did not run because an earlier one failed. @param {string} section @param {PlannedStep[]} planned */
  function notRun(section, planned) {
    for (const { name, action } of planned) {
      if (!record.steps.some((s) => s.section === section && s.name === name))
        record.steps.push({ section, name, action, exitCode: null, ran: false, status: 'not run', outputs: {}, key: '', durationMs: 0 });
    }
  }

  return { step, check, notRun };
}
