// The reusable workflows' public contract (on.workflow_call inputs, secrets, outputs, and the
// permissions their jobs declare), rendered into the README between markers by npm run build.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * @typedef {{ description?: string, type?: string, required?: boolean, default?: unknown }} CallInput
 * @typedef {{ name: string, file: string, inputs: Record<string, CallInput>, secrets: Record<string, { description?: string, required?: boolean }>, outputs: Record<string, { description?: string }>, permissions: Record<string, string> }} WorkflowSpec
 */

/** @param {string} root @returns {WorkflowSpec[]} */
export function readWorkflowSpecs(root) {
  const dir = join(root, '.github/workflows');
  /** @type {WorkflowSpec[]} */
  const specs = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const doc =
      /** @type {{ on?: { workflow_call?: { inputs?: Record<string, CallInput>, secrets?: Record<string, { description?: string, required?: boolean }>, outputs?: Record<string, { description?: string }> } }, jobs?: Record<string, { permissions?: Record<string, string> }> }} */ (
        parse(readFileSync(join(dir, file), 'utf8'))
      );
    const call = doc.on?.workflow_call;
    if (!call) continue;
    /** @type {Record<string, string>} */
    const permissions = {};
    for (const job of Object.values(doc.jobs ?? {}))
      for (const [scope, level] of Object.entries(job.permissions ?? {})) if (permissions[scope] !== 'write') permissions[scope] = level;
    specs.push({
      name: file.replace(/\.yml$/, ''),
      file,
      inputs: call.inputs ?? {},
      secrets: call.secrets ?? {},
      outputs: call.outputs ?? {},
      permissions,
    });
  }
  return specs;
}

const cell = (/** @type {unknown} */ text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** @param {WorkflowSpec} spec */
export function renderWorkflowTables(spec) {
  const lines = ['| input | type | required | default | meaning |', '|---|---|---|---|---|'];
  for (const [name, input] of Object.entries(spec.inputs)) {
    const def = input.default === undefined || input.default === '' ? '' : `\`${cell(input.default)}\``;
    lines.push(`| \`${name}\` | ${input.type ?? 'string'} | ${input.required ? 'yes' : 'no'} | ${def} | ${cell(input.description)} |`);
  }
  lines.push('', '| output | meaning |', '|---|---|');
  for (const [name, output] of Object.entries(spec.outputs)) lines.push(`| \`${name}\` | ${cell(output.description)} |`);
  const secrets = Object.entries(spec.secrets);
  lines.push(
    '',
    secrets.length === 0
      ? 'Secrets: none (AWS access is by OIDC role, GitHub access by the job token).'
      : `Secrets: ${secrets.map(([n, s]) => `\`${n}\`${s.required ? ' (required)' : ''}`).join(', ')}.`,
  );
  const perms = Object.entries(spec.permissions)
    .map(([scope, level]) => `\`${scope}: ${level}\``)
    .join(', ');
  lines.push('', `The calling job must grant: ${perms || 'nothing'}.`);
  return lines.join('\n');
}

/** @param {string} name */
export const workflowMarkers = (name) => [
  `<!-- workflow:${name}:start (generated from .github/workflows/${name}.yml by npm run build) -->`,
  `<!-- workflow:${name}:end -->`,
];

/** @param {string} readme @param {WorkflowSpec[]} specs */
export function replaceWorkflowTables(readme, specs) {
  let text = readme;
  for (const spec of specs) {
    const [start, end] = workflowMarkers(spec.name);
    const i = text.indexOf(/** @type {string} */ (start));
    const j = text.indexOf(/** @type {string} */ (end));
    if (i < 0 || j < i) throw new Error(`README.md lacks the markers for the reusable workflow ${spec.file}: ${start} … ${end}`);
    text = text.slice(0, i + /** @type {string} */ (start).length) + '\n' + renderWorkflowTables(spec) + '\n' + text.slice(j);
  }
  return text;
}
