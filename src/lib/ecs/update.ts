// Starting the roll-out: UpdateService on each service, to the new revision (or, for a rollback,
// back to the previous one).
import { UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { mark, type DeployRun, type Progress } from './progress.js';
import type { TrackedDeployment } from './track.js';

export interface StartedDeployment {
  /** The legacy deployment id DescribeServices shows. */
  deploymentId: string;
  /** ECS's service deployment, where the API answers with one. */
  serviceDeploymentArn?: string;
}

/** Points `service` at `taskDefinition`; `forNew` adds what the request asks of the new deployment (force, desired count). */
export async function updateService(run: DeployRun, service: Service, taskDefinition: string, forNew: boolean): Promise<StartedDeployment> {
  const { request } = run;
  const response = await run.deps.clients.ecs.send(
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
  const arn = response.service?.currentServiceDeployment;
  return { deploymentId: primary.id, ...(arn ? { serviceDeploymentArn: arn } : {}) };
}

/** Updates every service to the new revision, one after the other; returns what to follow. */
export async function startRollout(run: DeployRun, progress: Progress): Promise<TrackedDeployment[]> {
  const { result } = progress;
  const tracked: TrackedDeployment[] = [];
  for (const s of run.services) {
    const name = s.serviceName!;
    const u = await updateService(run, s, result.taskDefinitionArn, true);
    result.deploymentIds[name] = u.deploymentId;
    if (u.serviceDeploymentArn) result.serviceDeploymentArns[name] = u.serviceDeploymentArn;
    tracked.push({
      service: name,
      arn: u.serviceDeploymentArn ?? '',
      taskDefinitionArn: result.taskDefinitionArn,
      previousTaskDefinitionArn: run.previous.get(name)!,
      strategy: run.strategies.get(name)!,
    });
    mark(run, progress, `${name}: deployment ${u.serviceDeploymentArn ?? u.deploymentId} started`);
  }
  return tracked;
}
