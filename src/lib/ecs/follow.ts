// Following the roll-out to its verdict: ECS's service deployments where they can be read
// (track.ts), else DescribeServices (rollout.ts); PAUSE hooks answered by the test URL; then the
// health check. Each service ends with an outcome; a problem sends the deploy to diagnose and roll back.
import type { ServiceDeployment } from '@aws-sdk/client-ecs';
import { waitHealthy } from './health-check.js';
import { mark, type DeployRun, type Progress } from './progress.js';
import { watchRollout, type Verdict, type WatchedDeployment } from './rollout.js';
import { consoleLink, continueCommand, ecsDetails, ecsReason, ecsWords } from './service-deployment.js';
import { trackDeployments, type PauseHandler, type TrackedDeployment, type TrackVerdict } from './track.js';

export interface Outcome {
  kind: 'completed' | 'traffic-shifted' | 'paused' | 'rolled-back-by-ecs' | 'failed';
  reason?: string;
  /** The deployment has not finished: StopServiceDeployment can still roll it back. */
  inFlight: boolean;
}

function fromTrack(v: TrackVerdict): Outcome {
  switch (v.kind) {
    case 'completed':
      return { kind: 'completed', inFlight: false };
    case 'traffic-shifted':
      return { kind: 'traffic-shifted', inFlight: true };
    case 'paused':
      return { kind: 'paused', inFlight: true };
    case 'rolled-back':
      return { kind: 'rolled-back-by-ecs', reason: `ECS rolled the deployment back (ROLLBACK_SUCCESSFUL): ${v.reason}`, inFlight: false };
    case 'failed':
      return { kind: 'failed', reason: v.reason, inFlight: false };
    case 'timeout':
    case 'start-failure':
      return { kind: 'failed', reason: v.reason, inFlight: true };
  }
}

function fromLegacy(v: Verdict): Outcome {
  if (v.kind === 'completed') return { kind: 'completed', inFlight: false };
  if (v.kind === 'failed' && v.rolledBackByEcs) return { kind: 'rolled-back-by-ecs', reason: v.reason, inFlight: false };
  return { kind: 'failed', reason: v.reason, inFlight: false };
}

/** How long the test URL may take to answer 2xx while a PAUSE hook awaits action. */
const TEST_URL_WINDOW_MS = 5 * 60_000;

/** Follows each deployment: ECS's service deployment where it can be read, else DescribeServices. */
export async function followRollout(run: DeployRun, progress: Progress, tracked: TrackedDeployment[]): Promise<Map<string, Outcome>> {
  const { request, deps, api } = run;
  const outcomes = new Map<string, Outcome>();
  if (api.available && tracked.every((t) => t.arn)) {
    const onPause = answerPauseWithTestUrl(run, progress);
    const track = await deps.log.group('Rollout', () =>
      trackDeployments(api, deps.clients, request.cluster, tracked, run.deadline, {
        clock: deps.clock,
        log: deps.log,
        waitUntil: run.waitUntil,
        onPause,
      }),
    );
    if (!track.unavailable) {
      for (const [service, v] of track.verdicts) {
        outcomes.set(service, fromTrack(v));
        if (v.kind === 'paused')
          recordPause(
            run,
            progress,
            tracked.find((t) => t.service === service)!,
            v.hook.hookId ?? '',
            track.records.get(service)?.lifecycleStage ?? '?',
          );
      }
      for (const [service, sd] of track.records) recordEcsWords(progress, service, sd, outcomes);
      progress.stoppedTasks = track.stopped;
      return outcomes;
    }
  } else if (api.available) {
    deps.log.info('UpdateService returned no service deployment ARN: following the rollout with DescribeServices.');
  }
  const watched: WatchedDeployment[] = tracked.map((t) => ({
    service: t.service,
    deploymentId: progress.result.deploymentIds[t.service]!,
    taskDefinitionArn: t.taskDefinitionArn,
    previousTaskDefinitionArn: t.previousTaskDefinitionArn,
  }));
  const watch = await deps.log.group('Rollout', () =>
    watchRollout(deps.clients, request.cluster, watched, run.deadline, { clock: deps.clock, log: deps.log }),
  );
  for (const [service, v] of watch.verdicts) outcomes.set(service, fromLegacy(v));
  progress.stoppedTasks = watch.stopped;
  return outcomes;
}

/** With a test URL, a PAUSE hook is answered CONTINUE when it answers 2xx in time, else ROLLBACK; without, it stays paused. */
function answerPauseWithTestUrl(run: DeployRun, progress: Progress): PauseHandler {
  return async (t, sd, hook) => {
    const { request, deps, api } = run;
    const arn = t.arn;
    const hookId = hook.hookId ?? '';
    if (!request.testUrl) return 'paused';
    mark(run, progress, `${t.service}: PAUSE hook ${hookId} awaits action at ${sd.lifecycleStage ?? '?'}; checking ${request.testUrl}`);
    // The hook waits; the check may take up to TEST_URL_WINDOW, leaving time to follow what comes next.
    const unhealthy = await waitHealthy(
      request.testUrl,
      Math.min(run.deadline, deps.clock.now() + TEST_URL_WINDOW_MS),
      deps.clock,
      deps.fetcher,
    );
    if (!unhealthy) {
      await api.continue(arn, hookId, 'CONTINUE');
      mark(run, progress, `${t.service}: test URL healthy; ContinueServiceDeployment CONTINUE`);
      return 'answered';
    }
    progress.hookRollbacks.set(t.service, `Test URL health check failed: ${unhealthy}`);
    await api.continue(arn, hookId, 'ROLLBACK');
    mark(run, progress, `${t.service}: test URL unhealthy (${unhealthy}); ContinueServiceDeployment ROLLBACK`);
    return 'answered';
  };
}

/** ECS's own words about a deployment that did not simply succeed: into the summary, and the failure's reason. */
function recordEcsWords(progress: Progress, service: string, sd: ServiceDeployment, outcomes: Map<string, Outcome>): void {
  const outcome = outcomes.get(service);
  if (!outcome || outcome.kind === 'completed' || outcome.kind === 'traffic-shifted') return;
  for (const line of ecsWords(sd)) progress.result.ecsSaid.push(`${service}: ${line}`);
  if (outcome.kind === 'paused') return;
  const reason =
    outcome.kind === 'rolled-back-by-ecs'
      ? `ECS rolled the deployment back (ROLLBACK_SUCCESSFUL) to ${sd.rollback?.serviceRevisionArn ?? 'the last successful revision'}: ${ecsReason(sd)}`
      : (outcome.reason ?? '');
  const extra = ecsDetails(sd);
  outcomes.set(service, { ...outcome, reason: extra.length > 0 ? `${reason} (${extra.join('; ')})` : reason });
}

function recordPause(run: DeployRun, progress: Progress, t: TrackedDeployment, hookId: string, stage: string): void {
  const command = continueCommand(t.arn, hookId);
  progress.result.paused.push({ service: t.service, serviceDeploymentArn: t.arn, hookId, stage, command });
  run.deps.log.warning(
    `${t.service}: the deployment is paused at ${stage} by a PAUSE hook awaiting action (${hookId}). Nothing checks it without 'test-url'. Continue it with: ${command} (or --action ROLLBACK). ${consoleLink(run.services.find((s) => s.serviceName === t.service)?.serviceArn ?? '')}`,
  );
}

/**
 * The roll-out's verdict: the problem (a service that failed or was rolled back, or a failed
 * health check), or undefined once the result says how it succeeded.
 */
export async function verify(run: DeployRun, progress: Progress, outcomes: Map<string, Outcome>): Promise<string | undefined> {
  const { request, deps } = run;
  const bad = [...outcomes].filter(([, o]) => o.kind === 'failed' || o.kind === 'rolled-back-by-ecs');
  if (bad.length > 0)
    return bad.map(([service, o]) => `${service}: ${progress.hookRollbacks.get(service) ?? o.reason ?? 'failed'}`).join('; ');
  const paused = [...outcomes.values()].some((o) => o.kind === 'paused');
  const shifted = [...outcomes.values()].some((o) => o.kind === 'traffic-shifted');
  mark(
    run,
    progress,
    paused ? 'rollout paused at a PAUSE hook' : shifted ? 'production traffic shifted to the new revision' : 'rollout completed',
  );
  if (request.healthCheckUrl && !paused) {
    const unhealthy = await waitHealthy(request.healthCheckUrl, run.deadline, deps.clock, deps.fetcher);
    if (unhealthy) return `Health check failed: ${unhealthy}`;
    mark(run, progress, `health check passed: ${request.healthCheckUrl}`);
  }
  progress.result.status = paused ? 'paused' : shifted ? 'traffic-shifted' : 'completed';
  return undefined;
}
