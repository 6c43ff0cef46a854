// (g) workflow_run previews say which PR and which commit.
import type { YAMLMap } from 'yaml';
import {
  calledWorkflow,
  get,
  jobs,
  keyPairs,
  lineOf,
  ourActionName,
  ownTriggers,
  steps,
  str,
  triggersOf,
  withValue,
  type CheckContext,
  type Finding,
  type Workflow,
} from '../lib.js';

function previewCommand(step: YAMLMap): string {
  const v = withValue(step, 'command');
  return typeof v === 'string' ? v : 'auto';
}

function inputsReferenced(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/(?<![\w.-])inputs\s*\.\s*([\w-]+)/g)].map((m) => m[1] ?? '');
}

export function checkWorkflowRun(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const triggers = triggersOf(ctx, wf);
  if (triggers.has('workflow_run')) {
    const via = ownTriggers(wf).has('workflow_run') ? '' : ' (called from a workflow_run workflow)';
    for (const s of steps(wf)) {
      const uses = str(get(s.step, 'uses'));
      if (uses === undefined || ourActionName(uses) !== 'pr-preview') continue;
      const command = previewCommand(s.step);
      const required = command === 'sweep' ? [] : command === 'cleanup' ? ['pr-number'] : ['pr-number', 'head-sha'];
      for (const key of required) {
        const value = withValue(s.step, key);
        if (value === undefined || value === null || value === '') {
          findings.push({
            check: 'workflow-run',
            file: wf.name,
            line: s.line,
            message: `workflow_run${via}: job ${s.jobId} runs pr-preview (${command}) without ${key}; the event carries no pull request, pass the triggering run's PR number and head sha`,
          });
        }
      }
    }
  }
  // A workflow_run workflow calling a reusable one must give the inputs that feed its pr-preview's pr-number/head-sha.
  if (triggers.has('workflow_run')) {
    for (const { id, job } of jobs(wf)) {
      const called = calledWorkflow(ctx, str(get(job, 'uses')));
      if (!called) continue;
      const given = new Set(keyPairs(get(job, 'with')).map((p) => p.key));
      for (const s of steps(called)) {
        const uses = str(get(s.step, 'uses'));
        if (uses === undefined || ourActionName(uses) !== 'pr-preview') continue;
        for (const key of ['pr-number', 'head-sha']) {
          const names = inputsReferenced(withValue(s.step, key));
          if (names.length && !names.some((n) => given.has(n))) {
            findings.push({
              check: 'workflow-run',
              file: wf.name,
              line: lineOf(wf, get(job, 'uses')),
              message: `workflow_run: job ${id} calls ${called.name}, whose pr-preview takes ${key} from inputs.${names.join('/inputs.')}, but does not give it`,
            });
          }
        }
      }
    }
  }
  return findings;
}
