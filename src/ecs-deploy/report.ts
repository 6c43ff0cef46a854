// What an ecs-deploy run tells the workflow (outputs) and the person reading the run (summary).
import type { EcsDeployResult } from '../ecs/deploy.js';
import { formatDiff } from '../ecs/task-definition.js';
import type { OutputName } from '../generated/action-specs.js';
import { formatDuration } from '../util/clock.js';
import type { EcsDeploySettings } from './settings.js';

export function ecsDeployOutputs(result: EcsDeployResult): Record<OutputName<'ecs-deploy'>, string> {
  const ids = Object.values(result.deploymentIds);
  return {
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    'deployment-id': ids.length <= 1 ? (ids[0] ?? '') : JSON.stringify(result.deploymentIds),
    status: result.status,
    image: result.image,
  };
}

const fence = (lines: string[]) => ['```', ...lines.map((l) => l.replace(/```/g, "'''")), '```'];

export function ecsDeploySummary(settings: EcsDeploySettings, result: EcsDeployResult): string {
  const title = `### ${result.dryRun ? 'Dry run: ' : ''}${settings.services.join(', ')} on ${settings.cluster}: ${result.status}`;
  const lines = [title, ''];
  if (result.failure) lines.push(`**${result.status === 'rolled-back' ? 'Rolled back' : 'Failed'}:** ${result.failure}`, '');
  lines.push('| | |', '|---|---|', `| revision | \`${result.taskDefinitionArn}\` |`, `| previous | \`${result.previousTaskDefinitionArn}\` |`, `| image | \`${result.image}\` |`);
  for (const [service, id] of Object.entries(result.deploymentIds)) lines.push(`| deployment (${service}) | \`${id}\` |`);
  lines.push('', result.diff.length === 0 ? 'The task definition did not change.' : '**Task definition diff**', '');
  if (result.diff.length > 0) lines.push(...fence(formatDiff(result.diff)), '');
  if (result.timeline.length > 0) {
    lines.push('**Timeline**', '', '| after | event |', '|---:|---|');
    for (const t of result.timeline) lines.push(`| ${formatDuration(t.atMs)} | ${t.event.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  if (result.migrationLog.length > 0) lines.push('**Migration**', '', ...fence(result.migrationLog), '');
  if (result.diagnostics.length > 0) lines.push('**What ECS said**', '', ...fence(result.diagnostics), '');
  return lines.join('\n');
}
