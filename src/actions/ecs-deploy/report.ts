// What an ecs-deploy run tells the workflow (outputs) and the person reading the run (summary).
import type { EcsDeployResult } from '../../lib/ecs/deploy.js';
import { formatDiff } from '../../lib/ecs/task-definition.js';
import type { OutputName } from '../../generated/action-specs.js';
import { formatDuration } from '../../lib/util/clock.js';
import { table } from '../../lib/util/markdown.js';
import type { EcsDeploySettings } from './settings.js';

/** One value for one service, a JSON object service → value for several. */
const perService = (values: Record<string, string>) => {
  const list = Object.values(values);
  return list.length <= 1 ? (list[0] ?? '') : JSON.stringify(values);
};

export function ecsDeployOutputs(result: EcsDeployResult): Record<OutputName<'ecs-deploy'>, string> {
  return {
    'task-definition-arn': result.taskDefinitionArn,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    'deployment-id': perService(result.deploymentIds),
    'service-deployment-arn': perService(result.serviceDeploymentArns),
    status: result.status,
    image: result.image,
  };
}

const fence = (lines: string[]) => ['```', ...lines.map((l) => l.replace(/```/g, "'''")), '```'];
const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function headline(result: EcsDeployResult): string[] {
  if (result.failure) return [`**${result.status === 'rolled-back' ? 'Rolled back' : 'Failed'}:** ${result.failure}`, ''];
  if (result.status === 'paused')
    return [
      '**Paused:** a PAUSE lifecycle hook awaits action. Continue each deployment with the command below (or `--action ROLLBACK`).',
      '',
    ];
  if (result.status === 'traffic-shifted')
    return [
      'Production traffic is on the new revision; ECS finishes the bake time and the clean-up on its own (follow it with `service-deployment-arn`).',
      '',
    ];
  if (result.status === 'planned') return ['Dry run: this change would be deployed; nothing was changed.', ''];
  return [];
}

function facts(result: EcsDeployResult): string[] {
  const rows = [
    ['revision', code(result.taskDefinitionArn)],
    ['previous', code(result.previousTaskDefinitionArn)],
    ['image', code(result.image)],
  ];
  for (const p of result.promoted)
    rows.push([`promoted (${p.container})`, `${code(p.image)}${p.digest ? ` = ${code(p.digest)}` : ' (no digest known)'}`]);
  for (const [service, strategy] of Object.entries(result.strategies)) rows.push([`strategy (${service})`, cell(strategy)]);
  for (const [service, id] of Object.entries(result.deploymentIds)) rows.push([`deployment (${service})`, code(id)]);
  for (const [service, arn] of Object.entries(result.serviceDeploymentArns)) rows.push([`service deployment (${service})`, code(arn)]);
  for (const [service, link] of Object.entries(result.consoleLinks))
    if (link) rows.push([`console (${service})`, `[deployments](${link})`]);
  if (result.rollback) rows.push(['rollback', cell(result.rollback)]);
  return table(['', ''], rows);
}

export function ecsDeploySummary(settings: EcsDeploySettings, result: EcsDeployResult): string {
  const title = `### ${result.dryRun ? 'Dry run: ' : ''}${settings.services.join(', ')} on ${settings.cluster}: ${result.status}`;
  const lines = [title, '', ...headline(result), ...facts(result)];
  for (const p of result.paused)
    lines.push('', `**${p.service}** is paused at ${code(p.stage)} (hook ${code(p.hookId)}). Continue it with:`, '', ...fence([p.command]));
  lines.push('', result.diff.length === 0 ? 'The task definition did not change.' : '**Task definition diff**', '');
  if (result.diff.length > 0) lines.push(...fence(formatDiff(result.diff)), '');
  if (result.timeline.length > 0) {
    lines.push(
      '**Timeline**',
      '',
      ...table(
        [{ title: 'after', align: 'right' }, 'event'],
        result.timeline.map((t) => [formatDuration(t.atMs), cell(t.event)]),
      ),
      '',
    );
  }
  if (result.migrationLog.length > 0) lines.push('**Migration**', '', ...fence(result.migrationLog), '');
  if (result.ecsSaid.length > 0) lines.push("**ECS's service deployment record**", '', ...fence(result.ecsSaid), '');
  if (result.diagnostics.length > 0) lines.push('**What ECS said**', '', ...fence(result.diagnostics), '');
  return lines.join('\n');
}
