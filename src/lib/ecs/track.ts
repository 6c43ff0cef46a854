// Following the service deployments this step started, by ARN, until ECS gives its verdict, a
// PAUSE hook needs an answer, a task of the new revision cannot start, or the deadline passes.
import type { DeploymentLifecycleHookDetail, ServiceDeployment, Task } from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import { noteStoppedTasks } from './diagnostics.js';
import {
  judgeServiceDeployment,
  progressLine,
  type DeploymentVerdict,
  type ServiceDeploymentApi,
  type Strategy,
  type WaitUntil,
} from './service-deployment.js';

export interface TrackedDeployment {
  service: string;
  /** The service deployment's ARN. */
  arn: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  strategy: Strategy;
}

export type TrackVerdict = DeploymentVerdict | { kind: 'timeout'; reason: string } | { kind: 'start-failure'; reason: string };

/** What to do about a PAUSE hook awaiting action: it was answered (keep following), or leave it paused. */
export type PauseHandler = (
  tracked: TrackedDeployment,
  sd: ServiceDeployment,
  hook: DeploymentLifecycleHookDetail,
) => Promise<'answered' | 'paused'>;

export interface TrackResult {
  verdicts: Map<string, TrackVerdict>;
  /** The last record of each deployment. */
  records: Map<string, ServiceDeployment>;
  stopped: Task[];
  /** The API turned out to be unavailable: the caller falls back. */
  unavailable: boolean;
}

/** About every 5–10 s, jittered so parallel jobs do not poll in step. */
export const pollDelay = () => 5000 + Math.round(Math.random() * 5000);

export interface TrackOptions {
  clock: Clock;
  log: Logger;
  waitUntil: WaitUntil;
  onPause?: PauseHandler;
}

export async function trackDeployments(
  api: ServiceDeploymentApi,
  clients: EcsClients,
  cluster: string,
  tracked: TrackedDeployment[],
  deadline: number,
  options: TrackOptions,
): Promise<TrackResult> {
  const { clock, log } = options;
  const result: TrackResult = { verdicts: new Map(), records: new Map(), stopped: [], unavailable: false };
  const answeredHooks = new Set<string>();
  const bakeStarted = new Map<string, number>();
  const lastLine = new Map<string, string>();
  const pending = () => tracked.filter((t) => !result.verdicts.has(t.service));
  if (pending().length === 0) return result;

  const poll = async (): Promise<'done' | 'unavailable' | undefined> => {
    let records: ServiceDeployment[] | undefined;
    try {
      records = await api.describe(pending().map((t) => t.arn));
    } catch (error) {
      log.info(`DescribeServiceDeployments: ${describeError(error)}; polling again`);
      return undefined;
    }
    if (records === undefined) return 'unavailable';
    for (const sd of records) {
      const t = pending().find((x) => x.arn === sd.serviceDeploymentArn);
      if (!t) continue;
      result.records.set(t.service, sd);
      if (sd.lifecycleStage === 'BAKE_TIME' && !bakeStarted.has(t.service)) bakeStarted.set(t.service, clock.now());
      let verdict: TrackVerdict | undefined = judgeServiceDeployment(sd, options.waitUntil);
      if (verdict?.kind === 'paused') verdict = await answerPause(t, sd, verdict.hook, answeredHooks, options.onPause);
      if (!verdict) {
        const reason = await noteStoppedTasks(clients, cluster, t, result.stopped, log);
        if (reason) verdict = { kind: 'start-failure', reason };
      }
      const line = progressLine(sd, t.strategy, bakeStarted.get(t.service), clock.now());
      if (line !== lastLine.get(t.service)) log.info(`${t.service}: ${line}`);
      lastLine.set(t.service, line);
      if (verdict) result.verdicts.set(t.service, verdict);
    }
    return pending().length === 0 ? 'done' : undefined;
  };
  // The last poll belongs at the deadline, not a poll interval before it.
  const ended = await waitFor({ clock, every: pollDelay, deadline, first: 'pause', last: 'at-deadline', check: poll });
  if (ended === 'unavailable') return { ...result, unavailable: true };
  if (ended === undefined) {
    const now = clock.now();
    for (const t of pending()) {
      const sd = result.records.get(t.service);
      result.verdicts.set(t.service, {
        kind: 'timeout',
        reason: `the deployment did not finish before the timeout (${sd ? progressLine(sd, t.strategy, bakeStarted.get(t.service), now) : 'no record read'})`,
      });
    }
  }
  return result;
}

async function answerPause(
  t: TrackedDeployment,
  sd: ServiceDeployment,
  hook: DeploymentLifecycleHookDetail,
  answered: Set<string>,
  onPause: PauseHandler | undefined,
): Promise<TrackVerdict | undefined> {
  const id = hook.hookId ?? '';
  if (answered.has(id)) return undefined;
  if (!onPause || (await onPause(t, sd, hook)) === 'paused') return { kind: 'paused', hook };
  answered.add(id);
  return undefined;
}
