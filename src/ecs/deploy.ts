// Rolling out a new revision to one or more ECS services: render → register → migrate → update →
// watch → health check, and on failure the reasons and a rollback.
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { describeServices, describeStoppedTask, eventsSince, lastLogLines } from './diagnostics.js';
import { waitHealthy } from './health-check.js';
import { runMigration } from './migration.js';
import { watchRollout, type Verdict, type WatchedDeployment } from './rollout.js';
import { containerNames, diffTaskDefinitions, renderTaskDefinition, RenderError, sameTaskDefinition, toRegisterInput, type DiffLine, type TaskDefinitionInput } from './task-definition.js';

export interface EcsDeployRequest {
  cluster: string;
  services: string[];
  /** From a file; else the first service's current one. */
  taskDefinition?: TaskDefinitionInput;
  /** `container-name` (needed with `image` or `environment` when there are several containers). */
  containerName?: string;
  image?: string;
  images: Record<string, string>;
  environment: Record<string, string>;
  promoteFrom?: { cluster: string; service: string };
  migrate?: { command: string[]; container?: string };
  wait: boolean;
  timeoutMs: number;
  rollback: boolean;
  healthCheckUrl?: string;
  forceNewDeployment: boolean;
  desiredCount?: number;
  dryRun: boolean;
}

export type EcsDeployStatus = 'completed' | 'started' | 'unchanged' | 'rolled-back' | 'failed';

export interface EcsDeployResult {
  status: EcsDeployStatus;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  deploymentIds: Record<string, string>;
  image: string;
  diff: DiffLine[];
  timeline: { atMs: number; event: string }[];
  /** Why it failed, and what ECS said (events, stopped tasks, log lines). */
  failure?: string;
  diagnostics: string[];
  /** A successful migration's stop details and last log lines. */
  migrationLog: string[];
  dryRun: boolean;
}

export class EcsDeployFailed extends Error {
  constructor(readonly result: EcsDeployResult) {
    super(result.failure ?? 'the deployment failed');
    this.name = 'EcsDeployFailed';
  }
}

export interface EcsDeployDeps {
  clients: EcsClients;
  clock: Clock;
  log: Logger;
  fetcher?: typeof fetch;
}

async function describeTaskDefinition(clients: EcsClients, arn: string): Promise<TaskDefinition> {
  const response = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  if (!response.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
  return response.taskDefinition;
}

const family = (arn: string | undefined) => arn?.split('/').pop()?.split(':')[0];

/** Which container gets `image` and `environment`: the named one, or the only one. */
function targetContainer(td: TaskDefinitionInput, name: string | undefined, why: string): string {
  if (name) return name;
  const names = containerNames(td);
  if (names.length === 1) return names[0]!;
  throw new RenderError(`Input 'container-name' is required with ${why}: the task definition has ${names.length} containers (${names.join(', ')}).`);
}

async function collectImages(request: EcsDeployRequest, base: TaskDefinitionInput, clients: EcsClients): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  if (request.promoteFrom) {
    const [source] = await describeServices(clients, request.promoteFrom.cluster, [request.promoteFrom.service]);
    const sourceTd = await describeTaskDefinition(clients, source!.taskDefinition!);
    const names = new Set(containerNames(base));
    for (const c of sourceTd.containerDefinitions ?? []) if (c.name && c.image && names.has(c.name)) images[c.name] = c.image;
    if (Object.keys(images).length === 0) throw new RenderError(`Input 'promote-from' names ${request.promoteFrom.cluster}/${request.promoteFrom.service}, whose task definition has no container named like ours (${[...names].join(', ')}).`);
  }
  if (request.image) images[targetContainer(base, request.containerName, "'image'")] = request.image;
  Object.assign(images, request.images);
  return images;
}

export async function deployToEcs(request: EcsDeployRequest, deps: EcsDeployDeps): Promise<EcsDeployResult> {
  const { clients, clock, log } = deps;
  const start = clock.now();
  const startedAt = new Date();
  const timeline: EcsDeployResult['timeline'] = [];
  const mark = (event: string) => {
    timeline.push({ atMs: clock.now() - start, event });
    log.info(event);
  };
  const deadline = start + request.timeoutMs;

  const services = await log.group(`Read ${request.services.join(', ')} in ${request.cluster}`, () => describeServices(clients, request.cluster, request.services));
  for (const s of services) {
    const controller = s.deploymentController?.type ?? 'ECS';
    if (controller !== 'ECS') throw new Error(`Service ${s.serviceName} uses the ${controller} deployment controller; ecs-deploy drives rolling (ECS) deployments only.`);
  }
  const previous = new Map(services.map((s) => [s.serviceName!, s.taskDefinition!]));
  const firstArn = services[0]!.taskDefinition!;
  if (!request.taskDefinition && new Set(services.map((s) => family(s.taskDefinition))).size > 1) {
    throw new Error(`The services run different task definition families (${services.map((s) => `${s.serviceName}: ${family(s.taskDefinition)}`).join(', ')}); give a task-definition file to roll one revision out to all of them.`);
  }
  const current = await describeTaskDefinition(clients, firstArn);
  const base = request.taskDefinition ?? toRegisterInput(current);
  const images = await collectImages(request, base, clients);
  const environmentContainer = Object.keys(request.environment).length > 0 ? targetContainer(base, request.containerName, "'environment'") : undefined;
  const rendered = renderTaskDefinition(base, { images, environment: request.environment, ...(environmentContainer ? { environmentContainer } : {}) });
  const diff = diffTaskDefinitions(current, rendered);
  const unchanged = sameTaskDefinition(current, rendered) && services.every((s) => s.taskDefinition === firstArn);
  const mainContainer = request.containerName ?? containerNames(rendered)[0]!;
  const image = rendered.containerDefinitions?.find((c) => c.name === mainContainer)?.image ?? '';

  const result: EcsDeployResult = {
    status: 'unchanged',
    taskDefinitionArn: firstArn,
    previousTaskDefinitionArn: firstArn,
    deploymentIds: {},
    image,
    diff,
    timeline,
    diagnostics: [],
    migrationLog: [],
    dryRun: request.dryRun,
  };
  log.info(unchanged ? 'The rendered task definition equals the current one.' : `Task definition changes:\n${diff.map((d) => `  ${d.path}: ${d.before ?? '(none)'} → ${d.after ?? '(removed)'}`).join('\n')}`);
  if (request.dryRun) return result;
  const updateNeeded = !unchanged || request.forceNewDeployment || request.desiredCount !== undefined;
  if (!updateNeeded) return result;

  let definition: TaskDefinition | undefined = current;
  if (!unchanged) {
    const registered = await clients.ecs.send(new RegisterTaskDefinitionCommand(rendered));
    definition = registered.taskDefinition;
    result.taskDefinitionArn = definition?.taskDefinitionArn ?? '';
    mark(`registered ${result.taskDefinitionArn}`);
  }

  const fail = (failure: string, status: EcsDeployStatus = 'failed'): never => {
    result.status = status;
    result.failure = failure;
    throw new EcsDeployFailed(result);
  };

  if (request.migrate && !unchanged) {
    const container = request.migrate.container ?? targetContainer(rendered, request.containerName, "'migrate-command'");
    mark(`migration started in ${container}`);
    const migration = await runMigration(
      { cluster: request.cluster, taskDefinitionArn: result.taskDefinitionArn, definition, container, command: request.migrate.command, service: services[0]!, deadline },
      clients,
      clock,
      log,
    );
    (migration.ok ? result.migrationLog : result.diagnostics).push(...migration.details);
    mark(migration.summary);
    if (!migration.ok) fail(`Migration failed: ${migration.summary}. The service was not changed.`);
  }

  const update = async (service: Service, taskDefinition: string, forNew: boolean): Promise<WatchedDeployment> => {
    const response = await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: request.cluster,
        service: service.serviceName,
        taskDefinition,
        ...(forNew && request.forceNewDeployment ? { forceNewDeployment: true } : {}),
        ...(forNew && request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
      }),
    );
    const primary = response.service?.deployments?.find((d) => d.status === 'PRIMARY');
    if (!primary?.id) throw new Error(`UpdateService on ${service.serviceName} returned no primary deployment`);
    return { service: service.serviceName!, deploymentId: primary.id, taskDefinitionArn: taskDefinition, previousTaskDefinitionArn: previous.get(service.serviceName!)! };
  };

  const watched: WatchedDeployment[] = [];
  for (const s of services) {
    const w = await update(s, result.taskDefinitionArn, true);
    watched.push(w);
    result.deploymentIds[w.service] = w.deploymentId;
    mark(`${w.service}: deployment ${w.deploymentId} started`);
  }
  result.status = 'started';
  if (!request.wait) return result;

  const watch = await log.group('Rollout', () => watchRollout(clients, request.cluster, watched, deadline, { clock, log }));
  const failed = [...watch.verdicts].filter((e): e is [string, Exclude<Verdict, { kind: 'completed' }>] => e[1].kind !== 'completed');
  let problem: string | undefined;
  if (failed.length === 0) {
    mark('rollout completed');
    if (request.healthCheckUrl) {
      const unhealthy = await waitHealthy(request.healthCheckUrl, deadline, clock, deps.fetcher);
      if (unhealthy) problem = `Health check failed: ${unhealthy}`;
      else mark(`health check passed: ${request.healthCheckUrl}`);
    }
    if (!problem) {
      result.status = 'completed';
      return result;
    }
  } else {
    problem = failed.map(([service, v]) => `${service}: ${v.reason}`).join('; ');
  }
  mark(problem);

  // What ECS knows: events since the deploy began, stopped tasks of the new revision with their logs.
  for (const [service, description] of watch.services) for (const e of eventsSince(description, startedAt)) result.diagnostics.push(`${service} event: ${e}`);
  for (const task of watch.stopped.slice(0, 5)) {
    result.diagnostics.push(describeStoppedTask(task));
    for (const c of task.containers ?? []) for (const line of await lastLogLines(clients, definition, task, c.name ?? '')) result.diagnostics.push(`  ${c.name} | ${line}`);
  }

  const byEcs = new Set(failed.filter(([, v]) => v.kind === 'failed' && v.rolledBackByEcs).map(([s]) => s));
  const toRollBack = request.rollback ? watched.filter((w) => !byEcs.has(w.service)) : [];
  if (toRollBack.length > 0) {
    const rollbackDeadline = clock.now() + request.timeoutMs;
    const back: WatchedDeployment[] = [];
    for (const w of toRollBack) {
      const service = services.find((s) => s.serviceName === w.service)!;
      const b = await update(service, w.previousTaskDefinitionArn, false).catch((error: unknown) => {
        throw new EcsDeployFailed({ ...result, status: 'failed', failure: `${problem}. Rolling back ${w.service} failed: ${describeError(error)}` });
      });
      back.push(b);
      mark(`${w.service}: rolling back to ${w.previousTaskDefinitionArn} (deployment ${b.deploymentId})`);
    }
    const rollback = await log.group('Rollback', () => watchRollout(clients, request.cluster, back, rollbackDeadline, { clock, log }));
    const stuck = [...rollback.verdicts].filter(([, v]) => v.kind !== 'completed');
    if (stuck.length > 0) fail(`${problem}. The rollback did not complete either: ${stuck.map(([s, v]) => `${s}: ${v.kind === 'completed' ? '' : v.reason}`).join('; ')}`);
    mark('rollback completed');
    fail(`${problem}. Rolled back to the previous revision.`, 'rolled-back');
  }
  return fail(byEcs.size === watched.length ? `${problem}. ECS rolled back to the previous revision.` : problem, byEcs.size === watched.length ? 'rolled-back' : 'failed');
}
