// Rolling out a new revision to one or more ECS services: render → register → migrate → update →
// follow ECS's service deployment → health check, and on failure ECS's own words and a rollback.
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service, type ServiceDeployment, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsClients } from '../aws/ecs-clients.js';
import { describeError, errorCode } from '../aws/errors.js';
import { InputError, InputErrors } from '../../inputs/errors.js';
import type { Logger } from '../log/logger.js';
import { formatDuration, type Clock } from '../util/clock.js';
import { PartialFailure } from '../util/partial-failure.js';
import { describeServices, describeStoppedTask, eventsSince, lastLogLines } from './diagnostics.js';
import { waitHealthy } from './health-check.js';
import { runMigration } from './migration.js';
import { promotedImages, type PromotedImage } from './promote.js';
import { watchRollout, type Verdict, type WatchedDeployment } from './rollout.js';
import { consoleLink, continueCommand, describeStrategy, ecsDetails, ecsReason, ecsWords, readStrategy, requiredWaitMs, ServiceDeploymentApi, type Strategy, type WaitUntil } from './service-deployment.js';
import { trackDeployments, type PauseHandler, type TrackedDeployment, type TrackVerdict } from './track.js';
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

/** The task definition with its tags (DescribeTaskDefinition returns tags only with include TAGS). */
async function describeTaskDefinition(clients: EcsClients, arn: string): Promise<TaskDefinition & { tags?: TaskDefinitionInput['tags'] }> {
  const response = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  if (!response.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
  return { ...response.taskDefinition, ...(response.tags?.length ? { tags: response.tags } : {}) };
}

const family = (arn: string | undefined) => arn?.split('/').pop()?.split(':')[0];

/** Which container gets `image` and `environment`: the named one (which must exist), or the only one. */
function targetContainer(td: TaskDefinitionInput, name: string | undefined, why: string): string {
  const names = containerNames(td);
  if (name) {
    if (!names.includes(name)) throw new RenderError(`Input 'container-name' names container '${name}', which the task definition does not have (it has: ${names.join(', ')}).`);
    return name;
  }
  if (names.length === 1) return names[0]!;
  throw new RenderError(`Input 'container-name' is required with ${why}: the task definition has ${names.length} containers (${names.join(', ')}).`);
}

async function collectImages(request: EcsDeployRequest, base: TaskDefinitionInput, clients: EcsClients, api: ServiceDeploymentApi, log: Logger): Promise<{ images: Record<string, string>; promoted: PromotedImage[] }> {
  const images: Record<string, string> = {};
  const promoted = request.promoteFrom ? await promotedImages(request.promoteFrom, base, clients, api, log) : [];
  for (const p of promoted) images[p.container] = p.deployed;
  if (request.image) images[targetContainer(base, request.containerName, "'image'")] = request.image;
  Object.assign(images, request.images);
  return { images, promoted };
}

/** The timeout must cover the bakes and steps ECS is configured to wait through: say so before changing anything. */
function checkTimeoutCovers(request: EcsDeployRequest, strategies: Map<string, Strategy>): void {
  if (!request.wait) return;
  const waitUntil = request.waitUntil ?? 'completed';
  const errors: InputError[] = [];
  for (const [service, s] of strategies) {
    const needed = requiredWaitMs(s, waitUntil);
    if (needed > 0 && request.timeoutMs <= needed) {
      const hint = waitUntil === 'completed' && s.bakeMinutes > 0 ? `, or wait-until: traffic-shifted to stop waiting when the final ${s.bakeMinutes} min bake begins` : '';
      errors.push(new InputError('timeout', `must be longer than the ${formatDuration(needed)} of bake time and steps service ${service} is configured for (${describeStrategy(s)}): give more, such as ${Math.ceil(needed / 60_000) + 10}m${hint}`, formatDuration(request.timeoutMs)));
    }
  }
  if (errors.length > 0) throw new InputErrors(errors);
}

interface Outcome {
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

export async function deployToEcs(request: EcsDeployRequest, deps: EcsDeployDeps): Promise<EcsDeployResult> {
  return new EcsDeployment(request, deps).run();
}

/** One run: the state the steps share, each step a method. */
class EcsDeployment {
  private readonly start: number;
  private readonly startedAt = new Date();
  private readonly deadline: number;
  private readonly api: ServiceDeploymentApi;
  private readonly waitUntil: WaitUntil;
  private services: Service[] = [];
  private strategies = new Map<string, Strategy>();
  private previous = new Map<string, string>();
  private definition: TaskDefinition | undefined;
  /** Services whose PAUSE hook this step answered ROLLBACK, with why. */
  private readonly hookRollbacks = new Map<string, string>();
  /** Stopped tasks of the new revision, for the report. */
  private stoppedTasks: Task[] = [];
  /** The legacy deployment ids of our own rollbacks. */
  private readonly rollbackIds = new Map<string, string>();
  private result!: EcsDeployResult;

  constructor(
    private readonly request: EcsDeployRequest,
    private readonly deps: EcsDeployDeps,
  ) {
    this.start = deps.clock.now();
    this.deadline = this.start + request.timeoutMs;
    this.api = new ServiceDeploymentApi(deps.clients, deps.log);
    this.waitUntil = request.waitUntil ?? 'completed';
  }

  private mark(event: string): void {
    this.result.timeline.push({ atMs: this.deps.clock.now() - this.start, event });
    this.deps.log.info(event);
  }

  private fail(failure: string, status: EcsDeployStatus = 'failed'): never {
    this.result.status = status;
    this.result.failure = failure;
    throw new PartialFailure(failure, this.result);
  }

  async run(): Promise<EcsDeployResult> {
    const { request, deps } = this;
    this.services = await deps.log.group(`Read ${request.services.join(', ')} in ${request.cluster}`, () => this.readServices());
    const { current, rendered, unchanged } = await this.render();
    const updateNeeded = !unchanged || request.forceNewDeployment || request.desiredCount !== undefined;
    if (request.dryRun) {
      // A dry run that would change something says so: `planned`, never `unchanged`.
      if (updateNeeded) this.result.status = 'planned';
      if (updateNeeded) this.warnIfTimeoutShort();
      return this.result;
    }
    if (!updateNeeded) return this.result;

    checkTimeoutCovers(request, this.strategies);
    await this.waitForOtherDeployments();
    this.definition = current;
    if (!unchanged) await this.register(rendered);
    if (request.migrate && !unchanged) await this.migrate(rendered);
    const tracked = await this.updateAll();
    this.result.status = 'started';
    if (!request.wait) return this.result;
    return this.followAndFinish(tracked);
  }

  /** The new task definition, compared with the current one; sets up the result. */
  private async render(): Promise<{ current: TaskDefinition; rendered: TaskDefinitionInput; unchanged: boolean }> {
    const { request, deps } = this;
    const { clients, log } = deps;
    const firstArn = this.services[0]!.taskDefinition!;
    const current = await describeTaskDefinition(clients, firstArn);
    const base = this.baseDefinition(current);
    const { images, promoted } = await collectImages(request, base, clients, this.api, log);
    const environmentContainer = Object.keys(request.environment).length > 0 ? targetContainer(base, request.containerName, "'environment'") : undefined;
    const rendered = renderTaskDefinition(base, { images, environment: request.environment, ...(environmentContainer ? { environmentContainer } : {}) });
    const diff = diffTaskDefinitions(current, rendered);
    const unchanged = sameTaskDefinition(current, rendered) && this.services.every((s) => s.taskDefinition === firstArn);
    const mainContainer = request.containerName ?? containerNames(rendered)[0]!;
    this.result = {
      status: 'unchanged',
      taskDefinitionArn: firstArn,
      previousTaskDefinitionArn: firstArn,
      deploymentIds: {},
      serviceDeploymentArns: {},
      strategies: Object.fromEntries([...this.strategies].map(([s, st]) => [s, describeStrategy(st)])),
      consoleLinks: Object.fromEntries(this.services.map((s) => [s.serviceName!, consoleLink(s.serviceArn ?? '')])),
      image: rendered.containerDefinitions?.find((c) => c.name === mainContainer)?.image ?? '',
      promoted,
      diff,
      timeline: [],
      ecsSaid: [],
      paused: [],
      diagnostics: [],
      migrationLog: [],
      dryRun: request.dryRun,
    };
    for (const p of promoted) log.info(`promote-from: ${p.container} runs ${p.image}${p.digest ? ` = ${p.digest}` : ''}; deploying ${p.deployed}`);
    log.info(unchanged ? 'The rendered task definition equals the current one.' : `Task definition changes:\n${diff.map((d) => `  ${d.path}: ${d.before ?? '(none)'} → ${d.after ?? '(removed)'}`).join('\n')}`);
    return { current, rendered, unchanged };
  }

  /** A dry run tells what the real run would refuse. */
  private warnIfTimeoutShort(): void {
    try {
      checkTimeoutCovers(this.request, this.strategies);
    } catch (error) {
      if (!(error instanceof InputErrors)) throw error;
      this.deps.log.warning(`The real run would stop here: ${error.message}`);
    }
  }

  private async readServices(): Promise<Service[]> {
    const { request, deps } = this;
    const services = await describeServices(deps.clients, request.cluster, request.services);
    for (const s of services) {
      const controller = s.deploymentController?.type ?? 'ECS';
      if (controller !== 'ECS') throw new Error(`Service ${s.serviceName} uses the ${controller} deployment controller; ecs-deploy drives ECS-controller deployments (rolling, blue/green, canary, linear) only.`);
      const strategy = readStrategy(s);
      this.strategies.set(s.serviceName!, strategy);
      deps.log.info(`${s.serviceName}: ${describeStrategy(strategy)}`);
      this.previous.set(s.serviceName!, s.taskDefinition!);
    }
    if (!request.taskDefinition && new Set(services.map((s) => family(s.taskDefinition))).size > 1) {
      throw new Error(`The services run different task definition families (${services.map((s) => `${s.serviceName}: ${family(s.taskDefinition)}`).join(', ')}); give a task-definition file to roll one revision out to all of them.`);
    }
    if (this.request.testUrl && this.request.wait && ![...this.strategies.values()].some((s) => s.pauseStages.length > 0)) {
      deps.log.warning("Input 'test-url' is used while a PAUSE lifecycle hook awaits action, and no service has one: it will not be checked.");
    }
    return services;
  }

  /** The service's current definition (tags carried over), or the file's, which keeps the current tags unless it names its own. */
  private baseDefinition(current: TaskDefinition & { tags?: TaskDefinitionInput['tags'] }): TaskDefinitionInput {
    const file = this.request.taskDefinition;
    if (!file) return toRegisterInput(current);
    return current.tags?.length && !file.tags ? { ...file, tags: current.tags } : file;
  }

  /** Never supersede a deployment in flight: wait for it (within the timeout), or fail naming it. */
  private async waitForOtherDeployments(): Promise<void> {
    const { request, deps } = this;
    for (const s of this.services) {
      for (;;) {
        const inFlight = await this.api.inFlight(request.cluster, s.serviceName!);
        const other = inFlight?.[0];
        if (!other) break;
        const what = `${other.serviceDeploymentArn ?? '?'} (${other.status ?? '?'}, started ${other.startedAt?.toISOString() ?? other.createdAt?.toISOString() ?? '?'})`;
        const [record] = (await this.api.describe([other.serviceDeploymentArn ?? ''])) ?? [];
        const hook = record?.lifecycleHookDetails?.find((h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION');
        const now = deps.clock.now();
        if (hook || now >= this.deadline) {
          const why = hook ? `is paused at a PAUSE hook awaiting action (continue it with: ${continueCommand(other.serviceDeploymentArn ?? '', hook.hookId ?? '')}, or roll it back)` : `did not finish within the timeout (${formatDuration(request.timeoutMs)})`;
          throw new Error(`Service ${s.serviceName} has another deployment in flight, ${what}, which ${why}. Nothing was changed; see ${consoleLink(s.serviceArn ?? '')}`);
        }
        deps.log.info(`${s.serviceName}: waiting for the deployment in flight, ${what}, to finish before starting ours`);
        await deps.clock.sleep(Math.min(10_000, this.deadline - now));
      }
    }
  }

  private async register(rendered: TaskDefinitionInput): Promise<void> {
    const registered = await this.deps.clients.ecs.send(new RegisterTaskDefinitionCommand(rendered));
    this.definition = registered.taskDefinition;
    this.result.taskDefinitionArn = this.definition?.taskDefinitionArn ?? '';
    this.mark(`registered ${this.result.taskDefinitionArn}${rendered.tags?.length ? ` with ${rendered.tags.length} tag${rendered.tags.length === 1 ? '' : 's'}` : ''}`);
  }

  private async migrate(rendered: TaskDefinitionInput): Promise<void> {
    const { request, deps } = this;
    const container = request.migrate!.container ?? targetContainer(rendered, request.containerName, "'migrate-command'");
    this.mark(`migration started in ${container}`);
    const migration = await runMigration(
      { cluster: request.cluster, taskDefinitionArn: this.result.taskDefinitionArn, definition: this.definition, container, command: request.migrate!.command, service: this.services[0]!, deadline: this.deadline },
      deps.clients,
      deps.clock,
      deps.log,
    );
    (migration.ok ? this.result.migrationLog : this.result.diagnostics).push(...migration.details);
    this.mark(migration.summary);
    if (!migration.ok) this.fail(`Migration failed: ${migration.summary}. The service was not changed.`);
  }

  private async updateService(service: Service, taskDefinition: string, forNew: boolean): Promise<{ deploymentId: string; serviceDeploymentArn?: string }> {
    const { request } = this;
    const response = await this.deps.clients.ecs.send(
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

  private async updateAll(): Promise<TrackedDeployment[]> {
    const tracked: TrackedDeployment[] = [];
    for (const s of this.services) {
      const name = s.serviceName!;
      const u = await this.updateService(s, this.result.taskDefinitionArn, true);
      this.result.deploymentIds[name] = u.deploymentId;
      if (u.serviceDeploymentArn) this.result.serviceDeploymentArns[name] = u.serviceDeploymentArn;
      tracked.push({ service: name, arn: u.serviceDeploymentArn ?? '', taskDefinitionArn: this.result.taskDefinitionArn, previousTaskDefinitionArn: this.previous.get(name)!, strategy: this.strategies.get(name)! });
      this.mark(`${name}: deployment ${u.serviceDeploymentArn ?? u.deploymentId} started`);
    }
    return tracked;
  }

  private readonly onPause: PauseHandler = async (t, sd, hook) => {
    const { request, deps } = this;
    const arn = t.arn;
    const hookId = hook.hookId ?? '';
    if (!request.testUrl) return 'paused';
    this.mark(`${t.service}: PAUSE hook ${hookId} awaits action at ${sd.lifecycleStage ?? '?'}; checking ${request.testUrl}`);
    // The hook waits; the check may take up to TEST_URL_WINDOW, leaving time to follow what comes next.
    const unhealthy = await waitHealthy(request.testUrl, Math.min(this.deadline, deps.clock.now() + TEST_URL_WINDOW_MS), deps.clock, deps.fetcher);
    if (!unhealthy) {
      await this.api.continue(arn, hookId, 'CONTINUE');
      this.mark(`${t.service}: test URL healthy; ContinueServiceDeployment CONTINUE`);
      return 'answered';
    }
    this.hookRollbacks.set(t.service, `Test URL health check failed: ${unhealthy}`);
    await this.api.continue(arn, hookId, 'ROLLBACK');
    this.mark(`${t.service}: test URL unhealthy (${unhealthy}); ContinueServiceDeployment ROLLBACK`);
    return 'answered';
  };

  /** Follows each deployment: ECS's service deployment where it can be read, else DescribeServices. */
  private async follow(tracked: TrackedDeployment[]): Promise<Map<string, Outcome>> {
    const { request, deps } = this;
    const outcomes = new Map<string, Outcome>();
    if (this.api.available && tracked.every((t) => t.arn)) {
      const track = await deps.log.group('Rollout', () => trackDeployments(this.api, deps.clients, request.cluster, tracked, this.deadline, { clock: deps.clock, log: deps.log, waitUntil: this.waitUntil, onPause: this.onPause }));
      if (!track.unavailable) {
        for (const [service, v] of track.verdicts) {
          outcomes.set(service, fromTrack(v));
          if (v.kind === 'paused') this.recordPause(tracked.find((t) => t.service === service)!, v.hook.hookId ?? '', track.records.get(service)?.lifecycleStage ?? '?');
        }
        for (const [service, sd] of track.records) this.recordEcsWords(service, sd, outcomes);
        this.stoppedTasks = track.stopped;
        return outcomes;
      }
    } else if (this.api.available) {
      deps.log.info('UpdateService returned no service deployment ARN: following the rollout with DescribeServices.');
    }
    const watched: WatchedDeployment[] = tracked.map((t) => ({ service: t.service, deploymentId: this.result.deploymentIds[t.service]!, taskDefinitionArn: t.taskDefinitionArn, previousTaskDefinitionArn: t.previousTaskDefinitionArn }));
    const watch = await deps.log.group('Rollout', () => watchRollout(deps.clients, request.cluster, watched, this.deadline, { clock: deps.clock, log: deps.log }));
    for (const [service, v] of watch.verdicts) outcomes.set(service, fromLegacy(v));
    this.stoppedTasks = watch.stopped;
    return outcomes;
  }

  /** ECS's own words about a deployment that did not simply succeed: into the summary, and the failure's reason. */
  private recordEcsWords(service: string, sd: ServiceDeployment, outcomes: Map<string, Outcome>): void {
    const outcome = outcomes.get(service);
    if (!outcome || outcome.kind === 'completed' || outcome.kind === 'traffic-shifted') return;
    for (const line of ecsWords(sd)) this.result.ecsSaid.push(`${service}: ${line}`);
    if (outcome.kind === 'paused') return;
    const reason = outcome.kind === 'rolled-back-by-ecs' ? `ECS rolled the deployment back (ROLLBACK_SUCCESSFUL) to ${sd.rollback?.serviceRevisionArn ?? 'the last successful revision'}: ${ecsReason(sd)}` : (outcome.reason ?? '');
    const extra = ecsDetails(sd);
    outcomes.set(service, { ...outcome, reason: extra.length > 0 ? `${reason} (${extra.join('; ')})` : reason });
  }

  /** The console pages of the services' deployments, for the end of a failure message. */
  private links(): string {
    const links = Object.values(this.result.consoleLinks).filter(Boolean);
    return Object.keys(this.result.serviceDeploymentArns).length > 0 && links.length > 0 ? ` Deployments: ${links.join(' ')}` : '';
  }

  private recordPause(t: TrackedDeployment, hookId: string, stage: string): void {
    const command = continueCommand(t.arn, hookId);
    this.result.paused.push({ service: t.service, serviceDeploymentArn: t.arn, hookId, stage, command });
    this.deps.log.warning(`${t.service}: the deployment is paused at ${stage} by a PAUSE hook awaiting action (${hookId}). Nothing checks it without 'test-url'. Continue it with: ${command} (or --action ROLLBACK). ${consoleLink(this.services.find((s) => s.serviceName === t.service)?.serviceArn ?? '')}`);
  }

  private async followAndFinish(tracked: TrackedDeployment[]): Promise<EcsDeployResult> {
    const { request, deps, result } = this;
    const outcomes = await this.follow(tracked);
    const bad = [...outcomes].filter(([, o]) => o.kind === 'failed' || o.kind === 'rolled-back-by-ecs');
    let problem: string | undefined;
    if (bad.length === 0) {
      const paused = [...outcomes.values()].some((o) => o.kind === 'paused');
      const shifted = [...outcomes.values()].some((o) => o.kind === 'traffic-shifted');
      this.mark(paused ? 'rollout paused at a PAUSE hook' : shifted ? 'production traffic shifted to the new revision' : 'rollout completed');
      if (request.healthCheckUrl && !paused) {
        const unhealthy = await waitHealthy(request.healthCheckUrl, this.deadline, deps.clock, deps.fetcher);
        if (unhealthy) problem = `Health check failed: ${unhealthy}`;
        else this.mark(`health check passed: ${request.healthCheckUrl}`);
      }
      if (!problem) {
        result.status = paused ? 'paused' : shifted ? 'traffic-shifted' : 'completed';
        return result;
      }
    } else {
      problem = bad.map(([service, o]) => `${service}: ${this.hookRollbacks.get(service) ?? o.reason ?? 'failed'}`).join('; ');
    }
    this.mark(problem);
    await this.collectDiagnostics();
    return this.rollBack(problem, outcomes);
  }

  /** What ECS knows: events since the deploy began, stopped tasks of the new revision with their logs. */
  private async collectDiagnostics(): Promise<void> {
    const { request, deps, result } = this;
    const described = await describeServices(deps.clients, request.cluster, request.services).catch(() => [] as Service[]);
    for (const s of described) for (const e of eventsSince(s, this.startedAt)) result.diagnostics.push(`${s.serviceName} event: ${e}`);
    for (const task of this.stoppedTasks.slice(0, 5)) {
      result.diagnostics.push(describeStoppedTask(task));
      for (const c of task.containers ?? []) for (const line of await lastLogLines(deps.clients, this.definition, task, c.name ?? '')) result.diagnostics.push(`  ${c.name} | ${line}`);
    }
  }

  /**
   * The fast way while a deployment is in flight (StopServiceDeployment ROLLBACK: for blue/green a
   * traffic shift back to the old tasks, still running); a deployment that already finished (or
   * where the API cannot be used) by updating the service to the previous revision.
   */
  private async rollBack(problem: string, outcomes: Map<string, Outcome>): Promise<never> {
    const { request, deps } = this;
    const byEcs = [...outcomes].filter(([s, o]) => o.kind === 'rolled-back-by-ecs' && !this.hookRollbacks.has(s)).map(([s]) => s);
    const byHook = [...this.hookRollbacks.keys()].filter((s) => outcomes.get(s)?.kind === 'rolled-back-by-ecs');
    const toRollBack = request.rollback ? this.services.filter((s) => !byEcs.includes(s.serviceName!) && !byHook.includes(s.serviceName!)) : [];
    const ways: string[] = [];
    if (byHook.length > 0) ways.push(`${byHook.join(', ')}: rolled back at the PAUSE hook (ContinueServiceDeployment ROLLBACK)`);
    if (byEcs.length > 0) ways.push(`${byEcs.join(', ')}: rolled back by ECS itself`);
    if (toRollBack.length === 0) {
      const all = byEcs.length + byHook.length === this.services.length;
      if (ways.length > 0) this.result.rollback = ways.join('; ');
      return this.fail(`${all ? `${problem}. ${byHook.length > 0 ? 'The deployment was rolled back at the PAUSE hook.' : 'ECS rolled it back.'}` : problem}${this.links()}`, all ? 'rolled-back' : 'failed');
    }
    const rollbackDeadline = deps.clock.now() + request.timeoutMs;
    const stopped: TrackedDeployment[] = [];
    const updated: TrackedDeployment[] = [];
    for (const s of toRollBack) {
      const name = s.serviceName!;
      const arn = this.result.serviceDeploymentArns[name];
      const inFlight = outcomes.get(name)?.inFlight ?? false;
      const t: TrackedDeployment = { service: name, arn: arn ?? '', taskDefinitionArn: this.previous.get(name)!, previousTaskDefinitionArn: this.result.taskDefinitionArn, strategy: this.strategies.get(name)! };
      if (arn && inFlight && this.api.available && (await this.stopDeployment(name, arn))) {
        stopped.push(t);
        ways.push(`${name}: StopServiceDeployment (ROLLBACK) of ${arn}${t.strategy.name === 'ROLLING' ? '' : ', traffic shifted back to the previous revision'}`);
        continue;
      }
      const u = await this.updateService(s, t.taskDefinitionArn, false).catch((error: unknown) => this.fail(`${problem}. Rolling back ${name} failed: ${describeError(error)}`));
      updated.push({ ...t, arn: u.serviceDeploymentArn ?? '' });
      this.rollbackIds.set(name, u.deploymentId);
      ways.push(`${name}: UpdateService back to ${t.taskDefinitionArn} (${inFlight ? 'the deployment could not be stopped' : 'the deployment had already finished'})`);
      this.mark(`${name}: rolling back to ${t.taskDefinitionArn} (deployment ${u.serviceDeploymentArn ?? u.deploymentId})`);
    }
    this.result.rollback = ways.join('; ');
    const stuck = await deps.log.group('Rollback', () => this.waitForRollback(stopped, updated, rollbackDeadline));
    if (stuck.length > 0) this.fail(`${problem}. The rollback did not complete either: ${stuck.join('; ')}.${this.links()}`);
    this.mark('rollback completed');
    return this.fail(`${problem}. Rolled back to the previous revision. How: ${this.result.rollback}.${this.links()}`, 'rolled-back');
  }

  /** StopServiceDeployment(ROLLBACK); false when it cannot (the deployment finished meanwhile, or the API is unavailable). */
  private async stopDeployment(service: string, arn: string): Promise<boolean> {
    try {
      const stopped = await this.api.stop(arn);
      if (stopped === undefined) return false;
      this.mark(`${service}: StopServiceDeployment (ROLLBACK) ${arn}`);
      return true;
    } catch (error) {
      if (errorCode(error) !== 'ConflictException') throw error;
      this.deps.log.info(`${service}: StopServiceDeployment: ${describeError(error)}; updating the service back instead`);
      return false;
    }
  }

  /** Waits for the rollbacks; returns what did not complete. */
  private async waitForRollback(stopped: TrackedDeployment[], updated: TrackedDeployment[], deadline: number): Promise<string[]> {
    const { request, deps } = this;
    const stuck: string[] = [];
    const options = { clock: deps.clock, log: deps.log, waitUntil: 'completed' as const };
    if (stopped.length > 0) {
      const track = await trackDeployments(this.api, deps.clients, request.cluster, stopped, deadline, options);
      for (const [s, v] of track.verdicts) if (v.kind !== 'rolled-back') stuck.push(`${s}: ${'reason' in v ? v.reason : v.kind}`);
    }
    const viaRecords = updated.filter((u) => u.arn && this.api.available);
    const viaLegacy = updated.filter((u) => !viaRecords.includes(u));
    if (viaRecords.length > 0) {
      const track = await trackDeployments(this.api, deps.clients, request.cluster, viaRecords, deadline, options);
      for (const [s, v] of track.verdicts) if (v.kind !== 'completed') stuck.push(`${s}: ${'reason' in v ? v.reason : v.kind}`);
    }
    if (viaLegacy.length > 0) {
      const back = viaLegacy.map((u) => ({ service: u.service, deploymentId: this.rollbackIds.get(u.service)!, taskDefinitionArn: u.taskDefinitionArn, previousTaskDefinitionArn: u.previousTaskDefinitionArn }));
      const watch = await watchRollout(deps.clients, request.cluster, back, deadline, { clock: deps.clock, log: deps.log });
      for (const [s, v] of watch.verdicts) if (v.kind !== 'completed') stuck.push(`${s}: ${v.reason}`);
    }
    return stuck;
  }
}
