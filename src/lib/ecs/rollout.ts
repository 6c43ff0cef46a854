// Watching the deployments this step created, by id, from DescribeServices, until each is done,
// failed, rolled back by ECS, or the deadline passes: the fallback where ECS's service deployment
// API cannot be read (an older partition, or a role without the permission).
import type { Service, Task } from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import { describeServices, noteStoppedTasks } from './diagnostics.js';
import { pollDelay } from './track.js';

export interface WatchedDeployment {
  service: string;
  deploymentId: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
}

export type Verdict =
  { kind: 'completed' } | { kind: 'failed'; reason: string; rolledBackByEcs: boolean } | { kind: 'timeout'; reason: string };

export interface RolloutWatch {
  verdicts: Map<string, Verdict>;
  /** Stopped tasks of the watched revisions, for the report. */
  stopped: Task[];
  /** The services as last described. */
  services: Map<string, Service>;
}

/** Judges one service from its description; undefined while the rollout is still going. */
export function judge(service: Service, watched: WatchedDeployment): Verdict | undefined {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === watched.deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const rolledBack =
    primary !== undefined && primary.id !== watched.deploymentId && primary.taskDefinition === watched.previousTaskDefinitionArn;
  if (!ours) {
    return rolledBack
      ? {
          kind: 'failed',
          reason: 'ECS rolled the deployment back to the previous revision (deployment circuit breaker)',
          rolledBackByEcs: true,
        }
      : {
          kind: 'failed',
          reason: `the deployment was replaced by ${primary?.id ?? 'another deployment'} (${primary?.taskDefinition ?? '?'})`,
          rolledBackByEcs: false,
        };
  }
  if (ours.rolloutState === 'FAILED') {
    return {
      kind: 'failed',
      reason: `rollout FAILED: ${ours.rolloutStateReason ?? 'no reason given'}${rolledBack ? '; ECS is rolling back to the previous revision' : ''}`,
      rolledBackByEcs: rolledBack,
    };
  }
  if (ours.status !== 'PRIMARY') {
    return rolledBack
      ? {
          kind: 'failed',
          reason: 'ECS is rolling the deployment back to the previous revision (deployment circuit breaker)',
          rolledBackByEcs: true,
        }
      : { kind: 'failed', reason: `the deployment is no longer the primary one (${ours.status ?? '?'})`, rolledBackByEcs: false };
  }
  const settled = ours.runningCount === ours.desiredCount;
  if (ours.rolloutState === 'COMPLETED' && settled) return { kind: 'completed' };
  if (ours.rolloutState === undefined && settled && deployments.length === 1) return { kind: 'completed' };
  return undefined;
}

export async function watchRollout(
  clients: EcsClients,
  cluster: string,
  watched: WatchedDeployment[],
  deadline: number,
  deps: { clock: Clock; log: Logger },
): Promise<RolloutWatch> {
  const verdicts = new Map<string, Verdict>();
  const stopped: Task[] = [];
  const services = new Map<string, Service>();
  const pending = () => watched.filter((w) => !verdicts.has(w.service));
  if (pending().length === 0) return { verdicts, stopped: [], services };
  /** A task of the new revision that cannot start will not heal by waiting: fail fast. */
  const startFailureOf = async (w: WatchedDeployment): Promise<Verdict | undefined> => {
    const reason = await noteStoppedTasks(clients, cluster, w, stopped, deps.log);
    return reason ? { kind: 'failed', reason, rolledBackByEcs: false } : undefined;
  };
  const poll = async (): Promise<true | undefined> => {
    let described: Service[];
    try {
      described = await describeServices(
        clients,
        cluster,
        pending().map((w) => w.service),
      );
    } catch (error) {
      deps.log.info(`DescribeServices: ${describeError(error)}; polling again`);
      return undefined;
    }
    for (const service of described) {
      const w = watched.find((x) => x.service === service.serviceName || x.service === service.serviceArn);
      if (!w) continue;
      services.set(w.service, service);
      const verdict = judge(service, w) ?? (await startFailureOf(w));
      if (verdict) {
        verdicts.set(w.service, verdict);
        deps.log.info(`${w.service}: ${verdict.kind === 'completed' ? 'rollout completed' : verdict.reason}`);
      } else {
        const d = service.deployments?.find((x) => x.id === w.deploymentId);
        deps.log.info(
          `${w.service}: ${d?.runningCount ?? 0}/${d?.desiredCount ?? 0} running, ${d?.pendingCount ?? 0} pending, ${d?.failedTasks ?? 0} failed (${d?.rolloutState ?? '…'})`,
        );
      }
    }
    return pending().length === 0 ? true : undefined;
  };
  // The last poll belongs at the deadline, not a poll interval before it.
  const finished = await waitFor({ clock: deps.clock, every: pollDelay, deadline, first: 'pause', last: 'at-deadline', check: poll });
  if (!finished) {
    for (const w of pending()) {
      const d = services.get(w.service)?.deployments?.find((x) => x.id === w.deploymentId);
      verdicts.set(w.service, {
        kind: 'timeout',
        reason: `the rollout did not finish before the timeout (${d?.runningCount ?? '?'} of ${d?.desiredCount ?? '?'} tasks running, rollout ${d?.rolloutState ?? 'state unknown'})`,
      });
    }
  }
  return { verdicts, stopped, services };
}
