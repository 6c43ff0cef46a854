// (c) The inputs given to our actions and reusable workflows.
import path from 'node:path';
import { isScalar } from 'yaml';
import {
  calledWorkflow,
  get,
  has,
  jobs,
  keyPairs,
  lineOf,
  ourActionName,
  ourActionSpec,
  ourWorkflowFile,
  plain,
  steps,
  str,
  withMap,
  type CheckContext,
  type Finding,
  type Workflow,
} from '../lib.js';

export function checkInputs(wf: Workflow, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, message: string): void => {
    findings.push({ check: 'inputs', file: wf.name, line, message });
  };
  for (const s of steps(wf)) {
    const uses = str(get(s.step, 'uses'));
    const name = uses === undefined ? undefined : ourActionName(uses);
    if (!name) continue;
    const spec = ourActionSpec(ctx, name);
    if (!spec) {
      add(lineOf(wf, get(s.step, 'uses')), `${uses} is not one of our actions (no actions/${name}/action.yml)`);
      continue;
    }
    const given = keyPairs(withMap(s.step));
    for (const { key, pair } of given) {
      if (!spec.inputs.has(key))
        add(
          lineOf(wf, pair),
          `input "${key}" is not declared by actions/${name}/action.yml (job ${s.jobId}); it has: ${[...spec.inputs.keys()].join(', ')}`,
        );
    }
    for (const [key, def] of spec.inputs) {
      if (def.required && !def.hasDefault && !given.some((g) => g.key === key)) {
        add(s.line, `required input "${key}" of ${name} is not given (job ${s.jobId})`);
      }
    }
  }
  for (const { id, job, line } of jobs(wf)) {
    const uses = str(get(job, 'uses'));
    const file = uses === undefined ? undefined : ourWorkflowFile(uses);
    if (!file) continue;
    const called = calledWorkflow(ctx, uses);
    if (!called) {
      add(
        lineOf(wf, get(job, 'uses')),
        `job ${id} calls ${uses}, but ${path.relative(ctx.repoRoot, path.join(ctx.workflowsDir, file))} does not exist`,
      );
      continue;
    }
    const call = get(get(called.doc.contents, 'on'), 'workflow_call');
    if (!has(get(called.doc.contents, 'on'), 'workflow_call')) {
      add(lineOf(wf, get(job, 'uses')), `job ${id} calls ${called.name}, which has no on.workflow_call`);
      continue;
    }
    const declaredInputs = keyPairs(get(call, 'inputs'));
    const declaredSecrets = keyPairs(get(call, 'secrets'));
    const given = keyPairs(get(job, 'with'));
    for (const { key, pair } of given) {
      if (!declaredInputs.some((d) => d.key === key))
        add(
          lineOf(wf, pair),
          `input "${key}" is not declared in ${called.name} on.workflow_call.inputs (job ${id}); it has: ${declaredInputs.map((d) => d.key).join(', ') || 'none'}`,
        );
    }
    for (const d of declaredInputs) {
      if (plain(get(d.value, 'required')) === true && !has(d.value, 'default') && !given.some((g) => g.key === d.key)) {
        add(line, `required input "${d.key}" of ${called.name} is not given (job ${id})`);
      }
    }
    const secrets = get(job, 'secrets');
    if (isScalar(secrets) && secrets.value === 'inherit') continue;
    const passed = keyPairs(secrets);
    for (const { key, pair } of passed) {
      if (!declaredSecrets.some((d) => d.key === key))
        add(
          lineOf(wf, pair),
          `secret "${key}" is not declared in ${called.name} on.workflow_call.secrets (job ${id}); it has: ${declaredSecrets.map((d) => d.key).join(', ') || 'none'}`,
        );
    }
    for (const d of declaredSecrets) {
      if (plain(get(d.value, 'required')) === true && !passed.some((p) => p.key === d.key)) {
        add(line, `required secret "${d.key}" of ${called.name} is not passed (job ${id}; pass it or use secrets: inherit)`);
      }
    }
  }
  return findings;
}
