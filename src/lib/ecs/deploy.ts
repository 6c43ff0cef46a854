// Rolling out a new revision to one or more ECS services, step by step: read and render → check
// the timeout and wait out other deployments → register → migrate → roll out (update, follow,
// health check), and on a problem diagnose (ECS's own words) and roll back.
import type { EcsClients } from '../aws/ecs-clients.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { PartialFailure } from '../util/partial-failure.js';
import { diagnose } from './diagnose.js';
import { followRollout, verify } from './follow.js';
import { checkTimeoutCovers, waitForOtherDeployments, warnIfTimeoutShort } from './preflight.js';
import { mark, type DeployRun, type Failure, type Progress } from './progress.js';
import { migrate, register } from './register.js';
import { readServices, render } from './render.js';
import { rollBack } from './rollback.js';
import { ServiceDeploymentApi, type WaitUntil } from './service-deployment.js';
import type { PromotedImage } from './promote.js';
import type { DiffLine, TaskDefinitionInput } from './task-definition.js';
import { startRollout } from './update.js';

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
  /** `completed` (default): the deployment finished; `traffic-shifted`: production traffic is on the new revision. */
  waitUntil?: WaitUntil;
  timeoutMs: number;
  rollback: boolean;
  healthCheckUrl?: string;
  /** Checked while a PAUSE hook awaits action; decides CONTINUE or ROLLBACK. */
  testUrl?: string;
  forceNewDeployment: boolean;
  desiredCount?: number;
  dryRun: boolean;
}

export type EcsDeployStatus = 'completed' | 'traffic-shifted' | 'started' | 'unchanged' | 'planned' | 'paused' | 'rolled-back' | 'failed';

export interface PausedDeployment {
  service: string;
  serviceDeploymentArn: string;
  hookId: string;
  stage: string;
  /** The command that continues it. */
  command: string;
}

export interface EcsDeployResult {
  status: EcsDeployStatus;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  deploymentIds: Record<string, string>;
  /** ECS's service deployment per service (empty where the API is unavailable). */
  serviceDeploymentArns: Record<string, string>;
  /** Each service's deployment strategy, as the log shows it. */
  strategies: Record<string, string>;
  /** The console page of each service's deployments. */
  consoleLinks: Record<string, string>;
  image: string;
  /** With promote-from: the tag and the digest of each promoted image. */
  promoted: PromotedImage[];
  diff: DiffLine[];
  timeline: { atMs: number; event: string }[];
  /** Why it failed, and what ECS said (events, stopped tasks, log lines). */
  failure?: string;
  /** How the rollback went, when there was one. */
  rollback?: string;
  /** What ECS's service deployment records say (status, reasons, alarms, circuit breaker, hooks). */
  ecsSaid: string[];
  paused: PausedDeployment[];
  diagnostics: string[];
  /** A successful migration's stop details and last log lines. */
  migrationLog: string[];
  dryRun: boolean;
}

export interface EcsDeployDeps {
  clients: EcsClients;
  clock: Clock;
  log: Logger;
  fetcher?: typeof fetch;
}

export async function deployToEcs(request: EcsDeployRequest, deps: EcsDeployDeps): Promise<EcsDeployResult> {
  const start = deps.clock.now();
  const api = new ServiceDeploymentApi(deps.clients, deps.log);
  const read = await deps.log.group(`Read ${request.services.join(', ')} in ${request.cluster}`, () => readServices(request, deps));
  const run: DeployRun = {
    request,
    deps,
    api,
    waitUntil: request.waitUntil ?? 'completed',
    start,
    deadline: start + request.timeoutMs,
    ...read,
  };
  const { current, rendered, unchanged, result } = await render(run);
  const progress: Progress = { result, definition: current, hookRollbacks: new Map(), stoppedTasks: [] };
  const updateNeeded = !unchanged || request.forceNewDeployment || request.desiredCount !== undefined;
  if (request.dryRun) {
    // A dry run that would change something says so: `planned`, never `unchanged`.
    if (updateNeeded) result.status = 'planned';
    if (updateNeeded) warnIfTimeoutShort(request, run.strategies, deps.log);
    return result;
  }
  if (!updateNeeded) return result;

  checkTimeoutCovers(request, run.strategies);
  await waitForOtherDeployments(run);
  if (!unchanged) await register(run, progress, rendered);
  const migrationFailed = request.migrate && !unchanged ? await migrate(run, progress, rendered, request.migrate) : undefined;
  if (migrationFailed) throw failed(result, migrationFailed);
  const tracked = await startRollout(run, progress);
  result.status = 'started';
  if (!request.wait) return result;

  const outcomes = await followRollout(run, progress, tracked);
  const problem = await verify(run, progress, outcomes);
  if (problem === undefined) return result;
  mark(run, progress, problem);
  await diagnose(run, progress);
  throw failed(result, await rollBack(run, progress, problem, outcomes));
}

/** The one place a deploy fails with what was done. */
function failed(result: EcsDeployResult, { failure, status }: Failure): PartialFailure<EcsDeployResult> {
  result.status = status;
  result.failure = failure;
  return new PartialFailure(failure, result);
}
