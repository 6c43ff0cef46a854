// The demo's harness: opens the world, runs each scenario with the one catch that ends it on its
// first failure (its remaining steps reported as not run), stops everything, prints the report.
import { writeFileSync } from 'node:fs';
import { createLifecycle } from './lifecycle.mjs';
import { printReport } from './report.mjs';
import { createStepRunner } from './steps.mjs';
import { openWorld } from './world.mjs';

/**
 * What a scenario's run gets: the world, and its own step runner and checks (recorded under its section).
 * @typedef {import('./world.mjs').World & {
 *   step: (planned: import('./steps.mjs').PlannedStep, inputs: Record<string, string>, env: Record<string, string | undefined>) => Promise<import('../../stand-ins/action-runner.mjs').ActionRun>,
 *   check: (what: string, ok: boolean, detail?: string) => void,
 *   passed: (section: string) => boolean,
 * }} ScenarioContext
 */

/**
 * One part of the pipeline. `steps` lists every step it may run, so those a failure skips show as
 * not run; `run` returns the evidence recorded under `section` in the report.
 * @typedef {{ section: string, title: string, steps: import('./steps.mjs').PlannedStep[], run: (context: ScenarioContext) => Promise<unknown> }} Scenario
 */

/**
 * Runs the scenarios in order; sets the exit code (1 when a step or a check failed).
 * @param {Scenario[]} scenarios @param {{ root: string, reportFile?: string }} options
 */
export async function runDemo(scenarios, { root, reportFile }) {
  const lifecycle = createLifecycle();
  /** @type {import('./steps.mjs').RunRecord} */
  const record = { steps: [], checks: [], evidence: {} };
  const runner = createStepRunner({ root, record, track: lifecycle.track });
  let failed = false;
  const started = performance.now();
  try {
    const world = await openWorld({ root, lifecycle, evidence: record.evidence });
    /** @type {Set<string>} */
    const passed = new Set();
    for (const scenario of scenarios) {
      if (await runScenario(scenario, { ...world, passed: (section) => passed.has(section) }, runner, record)) passed.add(scenario.section);
      else failed = true;
    }
  } catch (error) {
    failed = true;
    console.error(`\nThe demo could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await lifecycle.stopAll();
  }

  const totalMs = Math.round(performance.now() - started);
  if (record.steps.some((s) => s.exitCode !== 0) || record.checks.some((c) => !c.ok) || record.steps.length === 0) failed = true;
  printReport(record, { failed, totalMs });
  if (reportFile) writeFileSync(reportFile, JSON.stringify({ ok: !failed, totalMs, ...record }, null, 2));
  process.exitCode = failed ? 1 : 0;
}

/**
 * @param {Scenario} scenario
 * @param {import('./world.mjs').World & { passed: (section: string) => boolean }} world
 * @param {ReturnType<typeof createStepRunner>} runner
 * @param {import('./steps.mjs').RunRecord} record
 * @returns {Promise<boolean>} whether it ran to the end
 */
async function runScenario(scenario, world, runner, record) {
  const { section } = scenario;
  console.log(`\n═══ ${scenario.title}`);
  try {
    const evidence = await scenario.run({
      ...world,
      step: (planned, inputs, env) => runner.step(section, planned, inputs, env),
      check: (what, ok, detail) => runner.check(section, what, ok, detail),
    });
    if (evidence !== undefined) record.evidence[section] = evidence;
    return true;
  } catch (error) {
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    runner.notRun(section, scenario.steps);
    return false;
  }
}
