// The last step of a failed roll-out: back to the previous revision. The fast way while a
// deployment is in flight (StopServiceDeployment ROLLBACK: for blue/green a traffic shift back to
// the old tasks, still running); a deployment that already finished (or where the API cannot be
// used) by updating the service to the previous revision. Services ECS or a PAUSE hook already
// rolled back are left alone. Always ends in a failure, which says how the rollback went.
import type { Service } from '@aws-sdk/client-ecs';
import { describeError, errorCode } from '../aws/errors.js';
import type { Outcome } from './follow.js';
import { deploymentLinks, mark, type DeployRun, type Failure, type Progress } from './progress.js';
import { watchRollout } from './rollout.js';
import { trackDeployments, type TrackedDeployment } from './track.js';
import { updateService, type StartedDeployment } from './update.js';

/** The rollbacks started, by how each is followed. */
interface Rollbacks {
  /** Stopped with StopServiceDeployment: ECS rolls them back. */
  stopped: TrackedDeployment[];
  /** Updated back to the previous revision. */
  updated: TrackedDeployment[];
  /** The legacy deployment ids of the updates. */
  updateIds: Map<string, string>;
}

export async function rollBack(run: DeployRun, progress: Progress, problem: string, outcomes: Map<string, Outcome>): Promise<Failure> {
  const { request, deps, services } = run;
  const { result, hookRollbacks } = progress;
  const byEcs = [...outcomes].filter(([s, o]) => o.kind === 'rolled-back-by-ecs' && !hookRollbacks.has(s)).map(([s]) => s);
  const byHook = [...hookRollbacks.keys()].filter((s) => outcomes.get(s)?.kind === 'rolled-back-by-ecs');
  const toRollBack = request.rollback ? services.filter((s) => !byEcs.includes(s.serviceName!) && !byHook.includes(s.serviceName!)) : [];
  const ways: string[] = [];
  if (byHook.length > 0) ways.push(`${byHook.join(', ')}: rolled back at the PAUSE hook (ContinueServiceDeployment ROLLBACK)`);
  if (byEcs.length > 0) ways.push(`${byEcs.join(', ')}: rolled back by ECS itself`);
  if (toRollBack.length === 0) {
    const all = byEcs.length + byHook.length === services.length;
    if (ways.length > 0) result.rollback = ways.join('; ');
    return {
      failure: `${all ? `${problem}. ${byHook.length > 0 ? 'The deployment was rolled back at the PAUSE hook.' : 'ECS rolled it back.'}` : problem}${deploymentLinks(result)}`,
      status: all ? 'rolled-back' : 'failed',
    };
  }
  const rollbackDeadline = deps.clock.now() + request.timeoutMs;
  const started = await startRollbacks(run, progress, toRollBack, outcomes, ways);
  if ('failedService' in started)
    return { failure: `${problem}. Rolling back ${started.failedService} failed: ${describeError(started.error)}`, status: 'failed' };
  result.rollback = ways.join('; ');
  const stuck = await deps.log.group('Rollback', () => waitForRollbacks(run, started, rollbackDeadline));
  if (stuck.length > 0)
    return {
      failure: `${problem}. The rollback did not complete either: ${stuck.join('; ')}.${deploymentLinks(result)}`,
      status: 'failed',
    };
  mark(run, progress, 'rollback completed');
  return {
    failure: `${problem}. Rolled back to the previous revision. How: ${result.rollback}.${deploymentLinks(result)}`,
    status: 'rolled-back',
  };
}

/** Starts each service's rollback, adding how to `ways`; stops at the first service that cannot be updated back. */
async function startRollbacks(
  run: DeployRun,
  progress: Progress,
  services: Service[],
  outcomes: Map<string, Outcome>,
  ways: string[],
): Promise<Rollbacks | { failedService: string; error: unknown }> {
  const { result } = progress;
  const rollbacks: Rollbacks = { stopped: [], updated: [], updateIds: new Map() };
  for (const s of services) {
    const name = s.serviceName!;
    const arn = result.serviceDeploymentArns[name];
    const inFlight = outcomes.get(name)?.inFlight ?? false;
    const t: TrackedDeployment = {
      service: name,
      arn: arn ?? '',
      taskDefinitionArn: run.previous.get(name)!,
      previousTaskDefinitionArn: result.taskDefinitionArn,
      strategy: run.strategies.get(name)!,
    };
    if (arn && inFlight && run.api.available && (await stopDeployment(run, progress, name, arn))) {
      rollbacks.stopped.push(t);
      ways.push(
        `${name}: StopServiceDeployment (ROLLBACK) of ${arn}${t.strategy.name === 'ROLLING' ? '' : ', traffic shifted back to the previous revision'}`,
      );
      continue;
    }
    let u: StartedDeployment;
    try {
      u = await updateService(run, s, t.taskDefinitionArn, false);
    } catch (error) {
      return { failedService: name, error };
    }
    rollbacks.updated.push({ ...t, arn: u.serviceDeploymentArn ?? '' });
    rollbacks.updateIds.set(name, u.deploymentId);
    ways.push(
      `${name}: UpdateService back to ${t.taskDefinitionArn} (${inFlight ? 'the deployment could not be stopped' : 'the deployment had already finished'})`,
    );
    mark(run, progress, `${name}: rolling back to ${t.taskDefinitionArn} (deployment ${u.serviceDeploymentArn ?? u.deploymentId})`);
  }
  return rollbacks;
}

/** StopServiceDeployment(ROLLBACK); false when it cannot (the deployment finished meanwhile, or the API is unavailable). */
async function stopDeployment(run: DeployRun, progress: Progress, service: string, arn: string): Promise<boolean> {
  try {
    const stopped = await run.api.stop(arn);
    if (stopped === undefined) return false;
    mark(run, progress, `${service}: StopServiceDeployment (ROLLBACK) ${arn}`);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'ConflictException') throw error;
    run.deps.log.info(`${service}: StopServiceDeployment: ${describeError(error)}; updating the service back instead`);
    return false;
  }
}

/** Waits for the rollbacks; returns what did not complete. */
async function waitForRollbacks(run: DeployRun, rollbacks: Rollbacks, deadline: number): Promise<string[]> {
  const { request, deps, api } = run;
  const { stopped, updated } = rollbacks;
  const stuck: string[] = [];
  const options = { clock: deps.clock, log: deps.log, waitUntil: 'completed' as const };
  if (stopped.length > 0) {
    const track = await trackDeployments(api, deps.clients, request.cluster, stopped, deadline, options);
    for (const [s, v] of track.verdicts) if (v.kind !== 'rolled-back') stuck.push(`${s}: ${'reason' in v ? v.reason : v.kind}`);
  }
  const viaRecords = updated.filter((u) => u.arn && api.available);
  const viaLegacy = updated.filter((u) => !viaRecords.includes(u));
  if (viaRecords.length > 0) {
    const track = await trackDeployments(api, deps.clients, request.cluster, viaRecords, deadline, options);
    for (const [s, v] of track.verdicts) if (v.kind !== 'completed') stuck.push(`${s}: ${'reason' in v ? v.reason : v.kind}`);
  }
  if (viaLegacy.length > 0) {
    const back = viaLegacy.map((u) => ({
      service: u.service,
      deploymentId: rollbacks.updateIds.get(u.service)!,
      taskDefinitionArn: u.taskDefinitionArn,
      previousTaskDefinitionArn: u.previousTaskDefinitionArn,
    }));
    const watch = await watchRollout(deps.clients, request.cluster, back, deadline, { clock: deps.clock, log: deps.log });
    for (const [s, v] of watch.verdicts) if (v.kind !== 'completed') stuck.push(`${s}: ${v.reason}`);
  }
  return stuck;
}
