// Why a deployment or a task failed: service events, stopped tasks with their codes and reasons,
// and the last log lines of containers that log to CloudWatch.
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError, errorCode } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';

const taskId = (arn: string | undefined) => arn?.split('/').pop() ?? '?';

/** One line per stopped task: stop code, reason, and each container's exit code and reason. */
export function describeStoppedTask(task: Task): string {
  const containers = (task.containers ?? [])
    .map(
      (c) =>
        `${c.name}: ${c.exitCode === undefined || c.exitCode === null ? 'never ran' : `exit ${c.exitCode}`}${c.reason ? ` (${c.reason})` : ''}`,
    )
    .join('; ');
  return `task ${taskId(task.taskArn)} stopped: ${task.stopCode ?? 'no stop code'}${task.stoppedReason ? ` — ${task.stoppedReason}` : ''}${containers ? ` [${containers}]` : ''}`;
}

/** Failures that will not heal by waiting: the task could not start, or its image cannot be pulled. */
export function isStartFailure(task: Task): boolean {
  return (
    task.stopCode === 'TaskFailedToStart' ||
    (task.containers ?? []).some((c) => /CannotPullContainer|pull image|ImagePull|manifest .* not found/i.test(c.reason ?? ''))
  );
}

/** Stopped tasks of a service running `taskDefinitionArn` (ECS keeps them for about an hour). */
export async function stoppedTasks(clients: EcsClients, cluster: string, service: string, taskDefinitionArn: string): Promise<Task[]> {
  const list = await clients.ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }));
  const arns = list.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }));
  return (described.tasks ?? []).filter((t) => t.taskDefinitionArn === taskDefinitionArn);
}

/**
 * Notes the tasks of the revision that stopped since the last look (those not in `stopped` yet):
 * logs each and adds it to `stopped`. Returns why the first of them could not start, if one could not: a
 * task that cannot start will not heal by waiting. A failed lookup is logged at debug level; the
 * next look tries again.
 */
export async function noteStoppedTasks(
  clients: EcsClients,
  cluster: string,
  watched: { service: string; taskDefinitionArn: string },
  stopped: Task[],
  log: Logger,
): Promise<string | undefined> {
  let startFailure: string | undefined;
  try {
    for (const task of await stoppedTasks(clients, cluster, watched.service, watched.taskDefinitionArn)) {
      if (stopped.some((t) => t.taskArn === task.taskArn)) continue;
      stopped.push(task);
      log.info(`${watched.service}: ${describeStoppedTask(task)}`);
      if (isStartFailure(task)) startFailure ??= `a task of the new revision failed to start: ${describeStoppedTask(task)}`;
    }
  } catch (error) {
    log.debug(`stopped tasks of ${watched.service}: ${describeError(error)}`);
  }
  return startFailure;
}

/** The client for the log group's region: the container's awslogs-region when it differs from the default one. */
async function logsClientFor(clients: EcsClients, region: string | undefined): Promise<CloudWatchLogsClient> {
  if (!region || !clients.logsIn) return clients.logs;
  const own = await clients.logs.config.region().catch(() => undefined);
  return own === region ? clients.logs : clients.logsIn(region);
}

/**
 * The last lines a container wrote to CloudWatch Logs, when it uses the awslogs driver. Read
 * backwards from the end: GetLogEvents may answer an empty page with more behind its token, so
 * follow nextBackwardToken until a page has events or the token stops changing.
 */
export async function lastLogLines(
  clients: EcsClients,
  definition: TaskDefinition | undefined,
  task: Task,
  containerName: string,
  lines = 20,
): Promise<string[]> {
  const options = definition?.containerDefinitions?.find((c) => c.name === containerName)?.logConfiguration;
  if (options?.logDriver !== 'awslogs') return [];
  const group = options.options?.['awslogs-group'];
  const prefix = options.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return [];
  try {
    const client = await logsClientFor(clients, options.options?.['awslogs-region']);
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const events = await client.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: `${prefix}/${containerName}/${taskId(task.taskArn)}`,
          limit: lines,
          startFromHead: false,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      if ((events.events ?? []).length > 0) return (events.events ?? []).map((e) => e.message ?? '');
      if (!events.nextBackwardToken || events.nextBackwardToken === token) return [];
      token = events.nextBackwardToken;
    }
    return [];
  } catch (error) {
    return [`(could not read the logs of ${containerName}: ${describeError(error)})`];
  }
}

/** Service events since `since`, oldest first. */
export function eventsSince(service: Service | undefined, since: Date): string[] {
  return (service?.events ?? [])
    .filter((e) => (e.createdAt?.getTime() ?? 0) >= since.getTime() - 1000)
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))
    .map((e) => `${e.createdAt?.toISOString() ?? ''} ${e.message ?? ''}`);
}

/** ECS says only "Cluster not found.": name the cluster and the services, and the input to check. */
export class ClusterNotFound extends Error {
  constructor(cluster: string, services: string[], input = 'cluster') {
    super(
      `Cluster '${cluster}' was not found (looking for service${services.length === 1 ? '' : 's'} ${services.map((s) => `'${s}'`).join(', ')}): check input '${input}' and the region of the credentials (ECS said: Cluster not found.).`,
    );
    this.name = 'ClusterNotFound';
  }
}

export async function describeServices(clients: EcsClients, cluster: string, services: string[], input = 'cluster'): Promise<Service[]> {
  const result: Service[] = [];
  for (let i = 0; i < services.length; i += 10) {
    const response = await clients.ecs
      .send(new DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }))
      .catch((error: unknown) => {
        throw errorCode(error) === 'ClusterNotFoundException' ? new ClusterNotFound(cluster, services, input) : error;
      });
    const missing = (response.failures ?? []).map((f) => `${f.arn ?? '?'} (${f.reason ?? 'unknown'})`);
    if (missing.length > 0)
      throw new Error(
        `Cannot find service(s) in cluster '${cluster}': ${missing.join(', ')} (check input '${input === 'cluster' ? 'service' : input}')`,
      );
    result.push(...(response.services ?? []));
  }
  return result;
}
