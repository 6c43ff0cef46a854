// The service deployment ECS itself records for each rollout (since 2025): its strategy, stage,
// traffic weights, hooks, alarms, circuit breaker and verdict, read with DescribeServiceDeployments.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type DeploymentLifecycleHookDetail,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
} from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError, errorCode } from '../aws/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration } from '../util/clock.js';

/** Statuses of a deployment that has not finished: a new one would supersede it. */
export const IN_FLIGHT: ServiceDeploymentStatus[] = [
  'PENDING',
  'IN_PROGRESS',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'STOP_REQUESTED',
];

/** Stages at or past which production traffic is fully on the new revision. */
const TRAFFIC_SHIFTED_STAGES = new Set(['BAKE_TIME', 'CLEAN_UP']);

const MINUTE = 60_000;

export type WaitUntil = 'completed' | 'traffic-shifted';

/** The deployment configuration that decides how long a rollout takes, as users think of it. */
export interface Strategy {
  name: string;
  /** Bake after production traffic has shifted (BLUE_GREEN, CANARY, LINEAR). */
  bakeMinutes: number;
  /** Production traffic weights of the new revision, in order (the last is 100). */
  steps: number[];
  /** Bake time between steps (canary bake, linear step bake). */
  stepBakeMinutes: number;
  pauseStages: string[];
  alarms: string[];
  earlySuccessPercent?: number;
}

export function readStrategy(service: Service): Strategy {
  const c = service.deploymentConfiguration ?? {};
  const name = c.strategy ?? 'ROLLING';
  const pauseStages = (c.lifecycleHooks ?? []).filter((h) => h.targetType === 'PAUSE').flatMap((h) => h.lifecycleStages ?? []);
  const alarms = c.alarms?.enable ? (c.alarms.alarmNames ?? []) : [];
  const base = {
    name,
    pauseStages,
    alarms,
    ...(c.earlySuccessCriteria?.enable && c.earlySuccessCriteria.healthyPercent !== undefined
      ? { earlySuccessPercent: c.earlySuccessCriteria.healthyPercent }
      : {}),
  };
  if (name === 'CANARY') {
    // Defaults from the API reference: canaryPercent 5.0, canaryBakeTimeInMinutes 10.
    const percent = c.canaryConfiguration?.canaryPercent ?? 5;
    return {
      ...base,
      bakeMinutes: c.bakeTimeInMinutes ?? 0,
      steps: [percent, 100],
      stepBakeMinutes: c.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10,
    };
  }
  if (name === 'LINEAR') {
    // Defaults: stepPercent 10.0, stepBakeTimeInMinutes 6 (not applied after 100%).
    const step = c.linearConfiguration?.stepPercent ?? 10;
    const steps: number[] = [];
    for (let w = step; w < 100; w += step) steps.push(Math.round(w * 10) / 10);
    return {
      ...base,
      bakeMinutes: c.bakeTimeInMinutes ?? 0,
      steps: [...steps, 100],
      stepBakeMinutes: c.linearConfiguration?.stepBakeTimeInMinutes ?? 6,
    };
  }
  return { ...base, bakeMinutes: name === 'BLUE_GREEN' ? (c.bakeTimeInMinutes ?? 0) : 0, steps: [100], stepBakeMinutes: 0 };
}

/** The least time ECS needs for the configured bakes and steps before `waitUntil` can be reached. */
export function requiredWaitMs(strategy: Strategy, waitUntil: WaitUntil): number {
  const stepBakes = (strategy.steps.length - 1) * strategy.stepBakeMinutes;
  return (stepBakes + (waitUntil === 'completed' ? strategy.bakeMinutes : 0)) * MINUTE;
}

export function describeStrategy(s: Strategy): string {
  const parts = [s.name];
  if (s.name === 'CANARY') parts.push(`${s.steps[0]}% for ${s.stepBakeMinutes} min, then 100%`);
  if (s.name === 'LINEAR') parts.push(`${s.steps.length} steps of ${s.steps[0]}%, ${s.stepBakeMinutes} min each`);
  if (s.name !== 'ROLLING') parts.push(`bake ${s.bakeMinutes} min`);
  if (s.pauseStages.length > 0) parts.push(`PAUSE hook at ${s.pauseStages.join(', ')}`);
  if (s.alarms.length > 0) parts.push(`alarms ${s.alarms.join(', ')}`);
  if (s.earlySuccessPercent !== undefined) parts.push(`early success at ${s.earlySuccessPercent}% healthy`);
  return parts.join('; ');
}

/**
 * The API is missing in this partition, or the role may not call it: follow the rollout the old
 * way. An endpoint that does not know the operation at all may answer something that is not JSON
 * (moto answers HTML): the SDK's SyntaxError, after its retries, counts as missing too.
 */
export function isApiUnavailable(error: unknown): boolean {
  return [
    'AccessDeniedException',
    'AccessDenied',
    'UnknownOperationException',
    'UnsupportedFeatureException',
    'InvalidAction',
    'UnrecognizedClientException',
    'SyntaxError',
  ].includes(errorCode(error));
}

/** Calls the service deployment API while it works; after the first "unavailable" it says so once and stays off. */
export class ServiceDeploymentApi {
  available = true;
  constructor(
    private readonly clients: EcsClients,
    private readonly log: Logger,
  ) {}

  /** Undefined when the API is (or just turned out to be) unavailable. */
  async call<T>(what: string, fn: (clients: EcsClients) => Promise<T>): Promise<T | undefined> {
    if (!this.available) return undefined;
    try {
      return await fn(this.clients);
    } catch (error) {
      if (!isApiUnavailable(error)) throw error;
      this.available = false;
      this.log.info(
        `ECS service deployments cannot be read here (${what}: ${describeError(error)}); following the rollout with DescribeServices instead, and rolling back by updating the service.`,
      );
      return undefined;
    }
  }

  describe(arns: string[]): Promise<ServiceDeployment[] | undefined> {
    return this.call('DescribeServiceDeployments', async (c) => {
      const out: ServiceDeployment[] = [];
      for (let i = 0; i < arns.length; i += 20)
        out.push(
          ...((await c.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns.slice(i, i + 20) })))
            .serviceDeployments ?? []),
        );
      return out;
    });
  }

  inFlight(cluster: string, service: string): Promise<ServiceDeploymentBrief[] | undefined> {
    return this.call(
      'ListServiceDeployments',
      async (c) => (await c.ecs.send(new ListServiceDeploymentsCommand({ cluster, service, status: IN_FLIGHT }))).serviceDeployments ?? [],
    );
  }

  stop(arn: string): Promise<unknown> {
    return this.call('StopServiceDeployment', (c) =>
      c.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })),
    );
  }

  continue(arn: string, hookId: string, action: 'CONTINUE' | 'ROLLBACK'): Promise<unknown> {
    return this.call('ContinueServiceDeployment', (c) =>
      c.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action })),
    );
  }
}

export type DeploymentVerdict =
  | { kind: 'completed' }
  | { kind: 'traffic-shifted' }
  | { kind: 'rolled-back'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'paused'; hook: DeploymentLifecycleHookDetail };

/** What ECS's record says, exactly: SUCCESSFUL completed, ROLLBACK_SUCCESSFUL rolled back, ROLLBACK_FAILED and STOPPED failed. */
export function judgeServiceDeployment(sd: ServiceDeployment, waitUntil: WaitUntil): DeploymentVerdict | undefined {
  const reason = ecsReason(sd);
  if (sd.status === 'SUCCESSFUL') return { kind: 'completed' };
  if (sd.status === 'ROLLBACK_SUCCESSFUL') return { kind: 'rolled-back', reason };
  if (sd.status === 'ROLLBACK_FAILED') return { kind: 'failed', reason: `ECS could not roll back (ROLLBACK_FAILED): ${reason}` };
  if (sd.status === 'STOPPED') return { kind: 'failed', reason: `the deployment was stopped (STOPPED): ${reason}` };
  if (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING') return undefined;
  const paused = awaitingHook(sd);
  if (paused) return { kind: 'paused', hook: paused };
  if (waitUntil === 'traffic-shifted' && TRAFFIC_SHIFTED_STAGES.has(sd.lifecycleStage ?? '')) return { kind: 'traffic-shifted' };
  return undefined;
}

export const awaitingHook = (sd: ServiceDeployment): DeploymentLifecycleHookDetail | undefined =>
  sd.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');

/** ECS's own reason for the state it is in, in one line. */
export function ecsReason(sd: ServiceDeployment): string {
  const parts = [sd.rollback?.reason, sd.statusReason].filter((p): p is string => Boolean(p));
  return [...new Set(parts)].join('; ') || `status ${sd.status ?? 'unknown'}`;
}

/** Everything ECS said about the deployment, for the failure text and the summary. */
export function ecsWords(sd: ServiceDeployment): string[] {
  const lines = [`status ${sd.status ?? '?'}${sd.lifecycleStage ? `, stage ${sd.lifecycleStage}` : ''}`];
  if (sd.statusReason) lines.push(`statusReason: ${sd.statusReason}`);
  if (sd.rollback?.reason)
    lines.push(`rollback.reason: ${sd.rollback.reason}${sd.rollback.serviceRevisionArn ? ` (to ${sd.rollback.serviceRevisionArn})` : ''}`);
  if (sd.alarms?.triggeredAlarmNames?.length) lines.push(`triggered alarms: ${sd.alarms.triggeredAlarmNames.join(', ')}`);
  const cb = sd.deploymentCircuitBreaker;
  if (cb && cb.status !== 'DISABLED' && cb.status !== undefined)
    lines.push(`circuit breaker ${cb.status}: ${cb.failureCount ?? 0} of ${cb.threshold ?? '?'} failed tasks`);
  for (const h of sd.lifecycleHookDetails ?? []) lines.push(`hook ${h.hookId ?? '?'} (${h.targetType ?? '?'}): ${h.status ?? '?'}`);
  return lines;
}

/** What a failure's reason adds to statusReason and rollback.reason: triggered alarms, the circuit breaker, hooks that did not succeed. */
export function ecsDetails(sd: ServiceDeployment): string[] {
  const lines: string[] = [];
  if (sd.alarms?.triggeredAlarmNames?.length) lines.push(`triggered alarms: ${sd.alarms.triggeredAlarmNames.join(', ')}`);
  const cb = sd.deploymentCircuitBreaker;
  if (cb && (cb.status === 'TRIGGERED' || (cb.failureCount ?? 0) > 0))
    lines.push(`circuit breaker ${cb.status ?? '?'}: ${cb.failureCount ?? 0} of ${cb.threshold ?? '?'} failed tasks`);
  for (const h of sd.lifecycleHookDetails ?? [])
    if (h.status !== 'SUCCEEDED') lines.push(`hook ${h.hookId ?? '?'} (${h.targetType ?? '?'}): ${h.status ?? '?'}`);
  return lines;
}

const pct = (n: number | undefined) => `${Math.round((n ?? 0) * 10) / 10}%`;

/** One progress line: stage, traffic weights, bake remaining, alarms monitored. */
export function progressLine(sd: ServiceDeployment, strategy: Strategy, bakeStartedAt: number | undefined, now: number): string {
  const target = sd.targetServiceRevision;
  const parts = [`${sd.status ?? '?'}${sd.lifecycleStage ? ` at ${sd.lifecycleStage}` : ''}`];
  if (strategy.name !== 'ROLLING') {
    parts.push(`production traffic ${pct(target?.requestedProductionTrafficWeight)} new`);
    if (target?.requestedTestTrafficWeight) parts.push(`test traffic ${pct(target.requestedTestTrafficWeight)} new`);
  }
  parts.push(`${target?.runningTaskCount ?? 0}/${target?.requestedTaskCount ?? 0} new tasks running`);
  if (sd.lifecycleStage === 'BAKE_TIME' && bakeStartedAt !== undefined)
    parts.push(`bake ${formatDuration(Math.max(0, strategy.bakeMinutes * MINUTE - (now - bakeStartedAt)))} left`);
  if (sd.alarms?.status === 'MONITORING' && sd.alarms.alarmNames?.length)
    parts.push(`alarms monitored: ${sd.alarms.alarmNames.join(', ')}`);
  const hook = awaitingHook(sd);
  if (hook) parts.push(`PAUSE hook ${hook.hookId ?? '?'} awaiting action`);
  return parts.join(', ');
}

/** The console page of the service's deployments. */
export function consoleLink(serviceArn: string): string {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):\d+:service\/([^/]+)\/(.+)$/.exec(serviceArn);
  if (!m) return '';
  const [, region, cluster, service] = m;
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}/services/${service}/deployments?region=${region}`;
}

export const continueCommand = (arn: string, hookId: string, action: 'CONTINUE' | 'ROLLBACK' = 'CONTINUE') =>
  `aws ecs continue-service-deployment --service-deployment-arn ${arn} --hook-id ${hookId} --action ${action}`;
