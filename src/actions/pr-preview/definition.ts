// pr-preview: a preview per pull request (deploy, cleanup, sweep), linked from the PR.
import { defineAction } from '../definition.js';
import type { ActionEnvironment, RawInputs } from '../../inputs/reader.js';
import { prPreviewOutputs, prPreviewSummary } from './report.js';
import { createPrPreviewClients, runPrPreview } from './run.js';
import { parsePrPreviewSettings } from './settings.js';

/** On the command line, as gh does: the token from GITHUB_TOKEN or GH_TOKEN when no flag gives one. */
function withTokenFromEnvironment(inputs: RawInputs, env: ActionEnvironment): RawInputs {
  if (env.as !== 'command') return inputs;
  return (name) => inputs(name) ?? (name === 'github-token' ? (env.vars.GITHUB_TOKEN ?? env.vars.GH_TOKEN) : undefined);
}

export const prPreview = defineAction({
  name: 'pr-preview',
  settings: (inputs, env) => parsePrPreviewSettings(withTokenFromEnvironment(inputs, env), env),
  secrets: (settings) => [settings.githubToken],
  clients: createPrPreviewClients,
  run: (settings, deps) => runPrPreview(settings, deps, deps.log),
  outputs: prPreviewOutputs,
  summary: prPreviewSummary,
  examples: [
    'GITHUB_REPOSITORY=acme/web GITHUB_TOKEN=$(gh auth token) slipway pr-preview --command sweep --domain preview.example.com --bucket example-previews --distribution-id E2QWRUHAPOMQZL --dry-run',
  ],
});
