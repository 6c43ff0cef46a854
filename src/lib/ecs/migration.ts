// The migration: a one-off task of the new revision, with the service's network settings. Its
// named container's exit code decides; a failure never touches the service.
import { randomUUID } from 'node:crypto';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Service,
  type Task,
  type TaskDefinition,
  type TaskVolumeConfiguration,
} from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { backoffSchedule, waitFor } from '../util/wait.js';
import { describeStoppedTask, lastLogLines } from './diagnostics.js';

export interface MigrationRequest {
  cluster: string;
  taskDefinitionArn: string;
  definition: TaskDefinition | undefined;
  container: string;
  command: string[];
  /** The service whose launch type, capacity providers and network configuration the task uses. */
  service: Service;
  deadline: number;
}

export interface MigrationOutcome {
  ok: boolean;
  taskArn?: string;
  exitCode?: number;
  /** What happened, in one line. */
  summary: string;
  /** Stop details and log lines, for the report. */
  details: string[];
}

/**
 * Volumes the task definition marks `configuredAtLaunch` (EBS) must be configured in RunTask
 * (API_TaskVolumeConfiguration); the service's own configuration is what its tasks get.
 */
export function launchVolumes(
  definition: TaskDefinition | undefined,
  service: Service,
): { volumes: TaskVolumeConfiguration[]; missing: string[] } {
  const atLaunch = (definition?.volumes ?? []).filter((v) => v.configuredAtLaunch).map((v) => v.name ?? '');
  const configured =
    service.deployments?.find((d) => d.status === 'PRIMARY')?.volumeConfigurations ?? service.deployments?.[0]?.volumeConfigurations ?? [];
  const volumes: TaskVolumeConfiguration[] = [];
  const missing: string[] = [];
  for (const name of atLaunch) {
    const found = configured.find((v) => v.name === name);
    if (found?.managedEBSVolume) volumes.push({ name, managedEBSVolume: { ...found.managedEBSVolume } });
    else missing.push(name);
  }
  return { volumes, missing };
}

export async function runMigration(request: MigrationRequest, clients: EcsClients, clock: Clock, log: Logger): Promise<MigrationOutcome> {
  const { service } = request;
  const launch = launchVolumes(request.definition, service);
  if (launch.missing.length > 0) {
    return {
      ok: false,
      summary: `the migration task cannot start: volume(s) ${launch.missing.join(', ')} are configured at launch, and service ${service.serviceName ?? ''} has no configuration for them`,
      details: [],
    };
  }
  const started = await clients.ecs.send(
    new RunTaskCommand({
      cluster: request.cluster,
      taskDefinition: request.taskDefinitionArn,
      count: 1,
      startedBy: 'slipway-migrate',
      // A retry of this request (a lost response) gets the same task back instead of a second migration.
      clientToken: randomUUID(),
      ...(service.capacityProviderStrategy?.length
        ? { capacityProviderStrategy: service.capacityProviderStrategy }
        : { launchType: service.launchType ?? 'FARGATE' }),
      ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
      ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
      overrides: { containerOverrides: [{ name: request.container, command: request.command }] },
      ...(launch.volumes.length > 0 ? { volumeConfigurations: launch.volumes } : {}),
    }),
  );
  const failures = (started.failures ?? []).map(
    (f) => `${f.reason ?? 'unknown reason'}${f.detail ? `: ${f.detail}` : ''}${f.arn ? ` (${f.arn})` : ''}`,
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (failures.length > 0 || !taskArn) {
    return {
      ok: false,
      summary: `the migration task could not be started: ${failures.join('; ') || 'ECS returned no task'}`,
      details: failures,
    };
  }
  log.info(`migration task ${taskArn} started: ${request.command.join(' ')}`);

  // Poll DescribeTasks ourselves: a fast task goes from PENDING to STOPPED between two polls,
  // which the SDK's tasksRunning waiter takes for a failure.
  let task: Task | undefined;
  const stoppedTask = await waitFor({
    clock,
    every: backoffSchedule(2000, 10_000),
    deadline: request.deadline,
    first: 'pause',
    check: async () => {
      task = (await describeTask(clients, request.cluster, taskArn, log)) ?? task;
      return task?.lastStatus === 'STOPPED' ? task : undefined;
    },
  });
  if (!stoppedTask) {
    await clients.ecs
      .send(new StopTaskCommand({ cluster: request.cluster, task: taskArn, reason: 'slipway: migration timed out' }))
      .catch(() => undefined);
    return {
      ok: false,
      taskArn,
      summary: `the migration did not finish before the timeout (last status ${task?.lastStatus ?? 'unknown'}); it was stopped`,
      details: [],
    };
  }
  return judgeMigration(request, clients, taskArn, stoppedTask);
}

/** The task as DescribeTasks sees it now; undefined when the call failed (the poll tries again). */
async function describeTask(clients: EcsClients, cluster: string, taskArn: string, log: Logger): Promise<Task | undefined> {
  try {
    const described = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    return described.tasks?.[0];
  } catch (error) {
    log.debug(`DescribeTasks: ${describeError(error)}; polling again`);
    return undefined;
  }
}

/** The named container's exit code decides. */
async function judgeMigration(request: MigrationRequest, clients: EcsClients, taskArn: string, task: Task): Promise<MigrationOutcome> {
  const judged = task.containers?.find((c) => c.name === request.container);
  const logs = await lastLogLines(clients, request.definition, task, request.container);
  const details = [describeStoppedTask(task), ...logs.map((l) => `  | ${l}`)];
  if (judged?.exitCode === 0) return { ok: true, taskArn, exitCode: 0, summary: 'the migration exited 0', details };
  if (judged?.exitCode !== undefined && judged.exitCode !== null) {
    return {
      ok: false,
      taskArn,
      exitCode: judged.exitCode,
      summary: `the migration exited ${judged.exitCode}${judged.reason ? ` (${judged.reason})` : ''}`,
      details,
    };
  }
  return {
    ok: false,
    taskArn,
    summary: `the migration never ran: ${task.stopCode ?? 'no stop code'}${task.stoppedReason ? ` — ${task.stoppedReason}` : ''}${judged?.reason ? ` (${request.container}: ${judged.reason})` : ''}`,
    details,
  };
}
