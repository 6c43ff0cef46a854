// A scripted ECS (and CloudWatch Logs) for the rollout paths moto cannot play: an in-process HTTP
// server speaking the JSON 1.1 protocol the real SDK uses. Used by the tests and by npm run demo.
//
// It behaves as the ECS API reference says where moto does not:
// - Service deployments (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html):
//   UpdateService answers with service.currentServiceDeployment; DescribeServiceDeployments,
//   ListServiceDeployments, StopServiceDeployment (ROLLBACK, only while PENDING or IN_PROGRESS,
//   else ConflictException), ContinueServiceDeployment (only for a PAUSE hook in AWAITING_ACTION,
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html),
//   DescribeServiceRevisions with the image digests ECS resolved
//   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerImage.html).
//   `serviceDeploymentsApi` set to 'denied' answers those calls with AccessDeniedException, and
//   'unavailable' as a partition without them does (UnknownOperationException, no
//   currentServiceDeployment).
// - Rolling deployments follow a script that advances one step per poll (DescribeServiceDeployments,
//   or DescribeServices when the service deployment API is off). A circuit-breaker rollback goes to
//   the last *successful* revision, as ECS does
//   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
// - BLUE_GREEN, CANARY and LINEAR services follow a timeline in time (the `now` clock given to the
//   constructor): scale up, test traffic, production traffic in the configured steps with their
//   bake times, BAKE_TIME, CLEAN_UP (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html,
//   canary-deployment.html, linear-deployment.html). PAUSE hooks stop it in AWAITING_ACTION until
//   ContinueServiceDeployment or their timeout (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
// - RegisterTaskDefinition stores what DescribeTaskDefinition returns on AWS: enableFaultInjection
//   false, container cpu 0, essential true, protocol tcp, hostPort = containerPort under awsvpc,
//   health-check interval 30 / timeout 5 / retries 3, empty lists, "1 vCPU" and "1 GB" as "1024"
//   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html,
//   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html);
//   tags come back only with include: ["TAGS"]
//   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html).
// - GetLogEvents with startFromHead false first answers an empty page whose nextBackwardToken leads
//   to the events, and the token stops changing at the end
//   (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html);
//   a log group lives in one region (the request must be signed for it).
// - A cluster that does not exist answers ClusterNotFoundException "Cluster not found.".
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { Faults } from './faults.mjs';

/** @typedef {Record<string, unknown>} Json */
/** The fake's own records (loosely typed inside this file only). @typedef {Record<string, any>} Any */
/**
 * A service as the tests read it.
 * @typedef {{ serviceName: string, taskDefinition: string, deployments: { id: string, status: string, rolloutState: string, taskDefinition: string, runningCount: number, desiredCount: number }[], currentServiceRevisions: { arn: string }[], currentServiceDeployment?: string }} ServiceView
 */

/**
 * What happens to a deployment. Rolling services: one step per poll.
 * @typedef {{ kind: 'complete', after: number }
 *   | { kind: 'circuit-breaker', after: number }
 *   | { kind: 'fail', after: number, reason: string }
 *   | { kind: 'stuck' }
 *   | { kind: 'start-failure', reason: string }
 *   | { kind: 'early-success', after: number, running: number }
 *   | { kind: 'alarm', stage: string, alarm: string }} Rollout
 * `alarm` is for timeline (BLUE_GREEN, CANARY, LINEAR) services: the alarm fires when the stage begins
 * and ECS rolls back. Timeline services complete by default.
 */

/**
 * @typedef {object} MigrationScript
 * @property {string[]} [statuses] Statuses DescribeTasks reports, one per call; the last one is STOPPED.
 * @property {number | null} exitCode
 * @property {string} [stopCode]
 * @property {string} [stoppedReason]
 * @property {string} [containerReason]
 * @property {string[]} [logs] Lines the task's container writes to its awslogs stream (read back by GetLogEvents).
 * @property {{ reason: string, detail?: string }} [runFailure] RunTask answers with this failure instead of a task.
 */

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SECOND = 1000;
const IN_FLIGHT = ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'];

/** An error the fake answers with: `type` becomes the JSON `__type`. */
class FakeError extends Error {
  /** @param {string} type @param {string} message */
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

/** "1 vCPU" → "1024", "0.5 vcpu" → "512", 256 → "256", as ECS stores task-level cpu. @param {unknown} v */
export function cpuUnits(v) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(String(v));
  return m ? String(Math.round(Number(m[1]) * 1024)) : String(v);
}

/** "1 GB" / "1GB" → "1024", 512 → "512", as ECS stores task-level memory. @param {unknown} v */
export function memoryMiB(v) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i.exec(String(v));
  return m ? String(Math.round(Number(m[1]) * 1024)) : String(v);
}

/** The task definition as DescribeTaskDefinition returns it after RegisterTaskDefinition. @param {Any} input @returns {Any} */
function storedAsEcsDoes(input) {
  const td = structuredClone(input);
  delete td.tags;
  td.enableFaultInjection ??= false;
  td.volumes ??= [];
  td.placementConstraints ??= [];
  if (td.cpu !== undefined) td.cpu = cpuUnits(td.cpu);
  if (td.memory !== undefined) td.memory = memoryMiB(td.memory);
  for (const c of td.containerDefinitions ?? []) {
    c.cpu ??= 0;
    c.essential ??= true;
    c.environment ??= [];
    c.mountPoints ??= [];
    c.volumesFrom ??= [];
    c.systemControls ??= [];
    for (const p of c.portMappings ?? []) {
      p.protocol ??= 'tcp';
      if (td.networkMode === 'awsvpc') p.hostPort ??= p.containerPort;
    }
    if (c.healthCheck) c.healthCheck = { interval: 30, timeout: 5, retries: 3, ...c.healthCheck };
  }
  return td;
}

/** The digest ECS resolves an image to: the one it names, else a stable fake one per reference. @param {string} image */
const digestOf = (image) => /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ?? `sha256:${createHash('sha256').update(image).digest('hex')}`;

/** ECS's throttling error, as the API answers it. */
export const THROTTLING = /** @type {const} */ ({ status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });

export class FakeEcs {
  /**
   * Every request, in order: the operation (from X-Amz-Target), its JSON input, the region it was signed for, and when (`now`).
   * @readonly
   * @type {{ operation: string, input: Json, region: string, at: number }[]}
   */
  calls = [];
  /** @type {MigrationScript} */
  migration = { exitCode: 0 };
  endpoint = '';
  /** 'available' (as in every commercial region today), 'denied' (no IAM permission) or 'unavailable' (a partition without the API). @type {'available' | 'denied' | 'unavailable'} */
  serviceDeploymentsApi = 'available';
  /** Image reference → the digest ECS resolves it to (default: a hash of the reference). @type {Map<string, string>} */
  digests = new Map();
  /** Clusters that exist (services add theirs). @type {Set<string>} */
  clusters = new Set(['prod', 'staging']);
  /** @type {() => number} */
  now;
  /** @type {Map<string, Any>} */
  #definitions = new Map();
  /** @type {Map<string, Any[]>} */
  #definitionTags = new Map();
  /** @type {Map<string, number>} */
  #revisions = new Map();
  /** @type {Map<string, Any>} */
  #services = new Map();
  /** @type {Map<string, Any>} */
  #tasks = new Map();
  /** @type {Map<string, { lines: string[], region: string }>} */
  #logs = new Map();
  /** @type {Map<string, Rollout[]>} */
  #rollouts = new Map();
  /** Service deployments by ARN; fields starting with _ are the fake's own. @type {Map<string, Any>} */
  #serviceDeployments = new Map();
  /** @type {Map<string, Any>} */
  #serviceRevisions = new Map();
  /**
   * Faults to inject (stand-ins/faults.mjs): status faults, answered as ECS answers errors
   * (`__type` = code); a RegExp match is tested against the operation.
   * @type {Faults<{ operation: string, input: Json, region: string }>}
   */
  faults = new Faults({ describe: (r) => r.operation });
  /** @type {import('node:http').Server | undefined} */
  #server;
  #seq = 0;
  /** RunTask clientToken → the task it started. @type {Map<string, string>} */
  #runTokens = new Map();

  /** How much faster than real time timelines run (1000: a 20-minute bake takes 1.2 s). */
  timeScale = 1;

  /**
   * @param {{ now?: () => number, timeScale?: number }} [options] `now` drives the timelines of BLUE_GREEN,
   * CANARY and LINEAR services (share the test's clock); `timeScale` speeds them up for tests in real time.
   */
  constructor(options = {}) {
    this.now = options.now ?? (() => Date.now());
    this.timeScale = options.timeScale ?? 1;
  }

  /** @returns {Promise<this>} */
  async start() {
    const server = createServer((req, res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.split('.').pop() ?? '';
        const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
        /** @param {number} status @param {Any} body */
        const send = (status, body) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        /** @type {Any} */
        let input;
        try {
          input = /** @type {Any} */ (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
        } catch {
          return send(400, { __type: 'SerializationException', message: 'the request body is not JSON' });
        }
        this.calls.push({ operation, input, region, at: this.now() });
        const fault = this.faults.take({ operation, input, region });
        if (fault && (fault.kind === undefined || fault.kind === 'status')) {
          return send(fault.status, { __type: fault.code ?? 'ServerException', message: fault.message ?? 'fault injected by the test' });
        }
        try {
          send(200, this.#handle(operation, input, region));
        } catch (error) {
          const e = /** @type {{ type?: string, message: string }} */ (error);
          send(400, { __type: e.type ?? 'InvalidParameterException', message: e.message });
        }
      });
    });
    this.#server = server;
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const address = /** @type {import('node:net').AddressInfo} */ (server.address());
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this;
  }

  /** @returns {Promise<void>} */
  close() {
    return new Promise((resolve) => {
      const server = this.#server;
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  /** The calls of these operations, in order. @param {...string} names */
  ops(...names) {
    return this.calls.filter((c) => names.includes(c.operation));
  }

  /** @param {Any} td @returns {string} the new revision's ARN */
  registerTaskDefinition(td) {
    const family = String(td.family);
    const revision = (this.#revisions.get(family) ?? 0) + 1;
    this.#revisions.set(family, revision);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    this.#definitions.set(arn, {
      ...storedAsEcsDoes(td),
      taskDefinitionArn: arn,
      revision,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [],
      registeredAt: this.now() / 1000,
    });
    if (Array.isArray(td.tags) && td.tags.length > 0) this.#definitionTags.set(arn, structuredClone(td.tags));
    return arn;
  }

  /**
   * A service whose first deployment of `taskDefinition` already succeeded.
   * @param {string} name @param {string} taskDefinition
   * @param {{ desiredCount?: number, controller?: string, cluster?: string, deploymentConfiguration?: Json, volumeConfigurations?: Any[] }} [options]
   */
  createService(name, taskDefinition, options = {}) {
    const desired = options.desiredCount ?? 2;
    const cluster = options.cluster ?? 'prod';
    this.clusters.add(cluster);
    /** @type {Any} */
    const service = {
      serviceName: name,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
      taskDefinition,
      desiredCount: desired,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING', ...options.deploymentConfiguration },
      ...(options.controller ? { deploymentController: { type: options.controller } } : {}),
      deployments: [this.#legacyDeployment(taskDefinition, desired, 'COMPLETED', desired, options.volumeConfigurations)],
      events: [],
      _volumeConfigurations: options.volumeConfigurations,
    };
    this.#services.set(name, service);
    const sd = this.#newServiceDeployment(service, taskDefinition);
    Object.assign(sd, { status: 'SUCCESSFUL', finishedAt: this.now() / 1000 });
    sd.targetServiceRevision.runningTaskCount = desired;
    sd.targetServiceRevision.requestedProductionTrafficWeight = 100;
    service._lastSuccessful = sd.targetServiceRevision.arn;
    service.currentServiceRevisions = [
      { arn: sd.targetServiceRevision.arn, requestedTaskCount: desired, runningTaskCount: desired, pendingTaskCount: 0 },
    ];
  }

  /**
   * A deployment someone else started, still in flight (or paused on a hook): `status` and, for a pause, `paused: true`.
   * @param {string} name @param {string} taskDefinition @param {{ status?: string, paused?: boolean, finishAfterReads?: number }} [options]
   * @returns {string} its ARN
   */
  startForeignDeployment(name, taskDefinition, options = {}) {
    const service = this.#service(name);
    const sd = this.#newServiceDeployment(service, taskDefinition);
    sd.status = options.status ?? 'IN_PROGRESS';
    sd._foreignReadsLeft = options.finishAfterReads ?? Infinity;
    if (options.paused)
      sd.lifecycleHookDetails = [
        {
          hookId: `ecs-pause-${++this.#seq}`,
          targetType: 'PAUSE',
          status: 'AWAITING_ACTION',
          expiresAt: this.now() / 1000 + 86_400,
          timeoutAction: 'ROLLBACK',
        },
      ];
    service.currentServiceDeployment = sd.serviceDeploymentArn;
    return sd.serviceDeploymentArn;
  }

  /** What the next deployments of `service` do, in order (our rollout, then our rollback). @param {string} service @param {...Rollout} rollouts */
  script(service, ...rollouts) {
    this.#rollouts.set(service, rollouts);
  }

  /** @param {string} group @param {string} stream @param {string[]} lines @param {string} [region] the group's region */
  putLogs(group, stream, lines, region = REGION) {
    this.#logs.set(`${group}|${stream}`, { lines, region });
  }

  /** @param {string} name @returns {ServiceView} */
  service(name) {
    return /** @type {ServiceView} */ (this.#service(name));
  }

  /** @param {string} name @returns {Any} */
  #service(name) {
    const service = this.#services.get(name);
    if (!service) throw new Error(`fake ECS: no service ${name}`);
    return service;
  }

  /** @param {string} arn @returns {Json | undefined} */
  definition(arn) {
    return this.#definitions.get(arn);
  }

  /** @param {string} arn @returns {Json[] | undefined} */
  definitionTags(arn) {
    return this.#definitionTags.get(arn);
  }

  /** The service deployment as DescribeServiceDeployments shows it (without advancing it). @param {string} arn @returns {Json | undefined} */
  serviceDeployment(arn) {
    const sd = this.#serviceDeployments.get(arn);
    return sd ? this.#public(sd) : undefined;
  }

  // ── service deployments ─────────────────────────────────────────────────────────────────

  /** @param {Any} service @param {string} taskDefinition @returns {Any} */
  #newServiceDeployment(service, taskDefinition) {
    const cluster = String(service.clusterArn).split('/').pop();
    const id = `${(++this.#seq).toString(36)}${createHash('sha1').update(String(this.#seq)).digest('hex').slice(0, 16)}`;
    const revision = this.#newServiceRevision(service, taskDefinition);
    const source = service._lastRevision;
    const t = this.now() / 1000;
    /** @type {Any} */
    const sd = {
      serviceDeploymentArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/${cluster}/${service.serviceName}/${id}`,
      serviceArn: service.serviceArn,
      clusterArn: service.clusterArn,
      createdAt: t,
      startedAt: t,
      updatedAt: t,
      sourceServiceRevisions: source
        ? [
            {
              arn: source,
              requestedTaskCount: service.desiredCount,
              runningTaskCount: service.desiredCount,
              pendingTaskCount: 0,
              requestedProductionTrafficWeight: 100,
              requestedTestTrafficWeight: 100,
            },
          ]
        : [],
      targetServiceRevision: {
        arn: revision,
        requestedTaskCount: service.desiredCount,
        runningTaskCount: 0,
        pendingTaskCount: 0,
        requestedProductionTrafficWeight: 0,
        requestedTestTrafficWeight: 0,
      },
      status: 'PENDING',
      deploymentConfiguration: structuredClone(service.deploymentConfiguration),
      deploymentCircuitBreaker: {
        status: service.deploymentConfiguration.deploymentCircuitBreaker?.enable ? 'MONITORING' : 'DISABLED',
        failureCount: 0,
        threshold: 3,
      },
      alarms: service.deploymentConfiguration.alarms?.enable
        ? { status: 'MONITORING', alarmNames: service.deploymentConfiguration.alarms.alarmNames ?? [], triggeredAlarmNames: [] }
        : { status: 'DISABLED' },
      _service: service.serviceName,
      _source: source,
    };
    service._lastRevision = revision;
    this.#serviceDeployments.set(sd.serviceDeploymentArn, sd);
    return sd;
  }

  /** @param {Any} service @param {string} taskDefinition */
  #newServiceRevision(service, taskDefinition) {
    const cluster = String(service.clusterArn).split('/').pop();
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/${cluster}/${service.serviceName}/${++this.#seq}${'0'.repeat(12)}`;
    const td = this.#definitions.get(taskDefinition);
    const containerImages = (td?.containerDefinitions ?? []).map((/** @type {Any} */ c) => ({
      containerName: c.name,
      image: c.image,
      imageDigest: this.digests.get(c.image) ?? digestOf(c.image),
    }));
    this.#serviceRevisions.set(arn, {
      serviceRevisionArn: arn,
      serviceArn: service.serviceArn,
      clusterArn: service.clusterArn,
      taskDefinition,
      launchType: service.launchType,
      networkConfiguration: service.networkConfiguration,
      containerImages,
      createdAt: this.now() / 1000,
    });
    return arn;
  }

  /** @param {Any} sd */
  #public(sd) {
    return Object.fromEntries(Object.entries(structuredClone(sd)).filter(([k]) => !k.startsWith('_')));
  }

  /** @param {Any} service */
  #strategy(service) {
    return String(service.deploymentConfiguration?.strategy ?? 'ROLLING');
  }

  /**
   * The stages of a BLUE_GREEN, CANARY or LINEAR deployment with how long each lasts and the
   * production traffic weight of the new revision at its end.
   * @param {Any} config @returns {{ stage: string, ms: number, weight?: number, test?: number }[]}
   */
  #timeline(config) {
    const second = SECOND / this.timeScale;
    const minute = 60 * second;
    /** @type {{ stage: string, ms: number, weight?: number, test?: number }[]} */
    const stages = [
      { stage: 'PRE_SCALE_UP', ms: 0 },
      { stage: 'SCALE_UP', ms: 60 * second },
      { stage: 'POST_SCALE_UP', ms: 0 },
      { stage: 'TEST_TRAFFIC_SHIFT', ms: 30 * second, test: 100 },
      { stage: 'POST_TEST_TRAFFIC_SHIFT', ms: 0, test: 100 },
    ];
    /** @type {{ weight: number, bakeMs: number }[]} */
    const steps = [];
    if (config.strategy === 'CANARY') {
      const percent = config.canaryConfiguration?.canaryPercent ?? 5;
      steps.push(
        { weight: percent, bakeMs: (config.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10) * minute },
        { weight: 100, bakeMs: 0 },
      );
    } else if (config.strategy === 'LINEAR') {
      const step = config.linearConfiguration?.stepPercent ?? 10;
      for (let w = step; w < 100; w += step)
        steps.push({ weight: Math.round(w * 10) / 10, bakeMs: (config.linearConfiguration?.stepBakeTimeInMinutes ?? 6) * minute });
      steps.push({ weight: 100, bakeMs: 0 });
    } else {
      steps.push({ weight: 100, bakeMs: 0 });
    }
    for (const s of steps)
      stages.push(
        { stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', ms: 0 },
        { stage: 'PRODUCTION_TRAFFIC_SHIFT', ms: 20 * second + s.bakeMs, weight: s.weight },
      );
    stages.push(
      { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', ms: 0, weight: 100 },
      { stage: 'BAKE_TIME', ms: (config.bakeTimeInMinutes ?? 0) * minute, weight: 100 },
      { stage: 'CLEAN_UP', ms: 30 * second, weight: 100 },
    );
    return stages;
  }

  /** Moves a timeline deployment on to what the clock says. @param {Any} sd */
  #advanceTimeline(sd) {
    if (sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING') return;
    const service = this.#service(sd._service);
    const stages = /** @type {{ stage: string, ms: number, weight?: number, test?: number }[]} */ (sd._stages);
    const now = this.now();
    sd.status = 'IN_PROGRESS';
    for (;;) {
      const paused = (sd.lifecycleHookDetails ?? []).find((/** @type {Any} */ h) => h.status === 'AWAITING_ACTION');
      if (paused) {
        if (now / 1000 < paused.expiresAt) return;
        paused.status = 'TIMED_OUT';
        if (paused.timeoutAction === 'ROLLBACK') return this.#requestRollback(sd, `Lifecycle hook ${paused.hookId} timed out`);
        sd._stageAt = paused.expiresAt * 1000;
      }
      const current = stages[sd._stageIndex];
      if (!current) return;
      if (sd._stageEntered !== sd._stageIndex) {
        sd._stageEntered = sd._stageIndex;
        sd.lifecycleStage = current.stage;
        sd.updatedAt = sd._stageAt / 1000;
        if (current.test !== undefined) sd.targetServiceRevision.requestedTestTrafficWeight = current.test;
        if (current.stage === 'SCALE_UP') sd.targetServiceRevision.runningTaskCount = sd.targetServiceRevision.requestedTaskCount;
        const outcome = sd._rollout;
        if (outcome?.kind === 'alarm' && outcome.stage === current.stage) {
          sd.alarms = { ...sd.alarms, status: 'TRIGGERED', triggeredAlarmNames: [outcome.alarm] };
          return this.#requestRollback(sd, `CloudWatch alarm(s) ${outcome.alarm} in ALARM state`, 'ROLLBACK_IN_PROGRESS');
        }
        const hook = (sd.deploymentConfiguration.lifecycleHooks ?? []).find(
          (/** @type {Any} */ h) => h.targetType === 'PAUSE' && (h.lifecycleStages ?? []).includes(current.stage),
        );
        if (hook) {
          const timeout = hook.timeoutConfiguration ?? {};
          sd.lifecycleHookDetails = [
            ...(sd.lifecycleHookDetails ?? []),
            {
              hookId: `ecs-pause-${++this.#seq}`,
              targetType: 'PAUSE',
              status: 'AWAITING_ACTION',
              expiresAt: sd._stageAt / 1000 + ((timeout.timeoutInMinutes ?? 1440) * 60) / this.timeScale,
              timeoutAction: timeout.action ?? 'ROLLBACK',
            },
          ];
          this.#event(service, `service deployment ${sd.serviceDeploymentArn} is paused at ${current.stage}: a PAUSE hook awaits action.`);
          continue;
        }
      }
      if (current.weight !== undefined && now >= sd._stageAt + Math.min(current.ms, (20 * SECOND) / this.timeScale)) {
        sd.targetServiceRevision.requestedProductionTrafficWeight = current.weight;
        for (const s of sd.sourceServiceRevisions) s.requestedProductionTrafficWeight = 100 - current.weight;
      }
      if (now < sd._stageAt + current.ms) return;
      sd._stageAt += current.ms;
      sd._stageIndex++;
      if (sd._stageIndex >= stages.length) return this.#succeed(sd);
    }
  }

  /** @param {Any} sd */
  #succeed(sd) {
    const service = this.#service(sd._service);
    Object.assign(sd, { status: 'SUCCESSFUL', finishedAt: this.now() / 1000, updatedAt: this.now() / 1000 });
    if (sd.alarms?.status === 'MONITORING') sd.alarms.status = 'MONITORING_COMPLETE';
    if (sd.deploymentCircuitBreaker?.status === 'MONITORING') sd.deploymentCircuitBreaker.status = 'MONITORING_COMPLETE';
    for (const s of sd.sourceServiceRevisions) Object.assign(s, { runningTaskCount: 0, requestedTaskCount: 0 });
    service._lastSuccessful = sd.targetServiceRevision.arn;
    service.currentServiceRevisions = [
      {
        arn: sd.targetServiceRevision.arn,
        requestedTaskCount: service.desiredCount,
        runningTaskCount: service.desiredCount,
        pendingTaskCount: 0,
      },
    ];
    const d = service.deployments.find((/** @type {Any} */ x) => x.id === sd._legacyId);
    if (d && d.rolloutState === 'IN_PROGRESS') {
      Object.assign(d, { rolloutState: 'COMPLETED', runningCount: d.desiredCount, status: 'PRIMARY' });
      service.deployments = [d];
    }
    this.#event(service, `service deployment ${sd.serviceDeploymentArn} completed.`);
  }

  /**
   * ECS (or StopServiceDeployment, or a hook) rolls the deployment back: to the last successful
   * revision when ECS's own monitors decide, to the previous (source) revision when asked.
   * @param {Any} sd @param {string} reason @param {string} [status] @param {string} [target]
   */
  #requestRollback(sd, reason, status = 'ROLLBACK_REQUESTED', target = sd._source) {
    const service = this.#service(sd._service);
    const t = this.now() / 1000;
    Object.assign(sd, {
      status,
      statusReason: reason,
      updatedAt: t,
      rollback: { reason, startedAt: t, serviceRevisionArn: target },
      _rollbackReads: 0,
    });
    const revision = this.#serviceRevisions.get(target);
    const d = service.deployments.find((/** @type {Any} */ x) => x.id === sd._legacyId);
    if (d) Object.assign(d, { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: reason });
    if (revision) {
      const back = this.#legacyDeployment(revision.taskDefinition, service.desiredCount, 'IN_PROGRESS');
      service.deployments = [back, ...service.deployments];
      service.taskDefinition = revision.taskDefinition;
      sd._rollbackLegacyId = back.id;
    }
    this.#event(service, `service deployment ${sd.serviceDeploymentArn} is rolling back: ${reason}`);
  }

  /** A rollback finishes two reads after it was requested. @param {Any} sd */
  #advanceRollback(sd) {
    if (sd.status !== 'ROLLBACK_REQUESTED' && sd.status !== 'ROLLBACK_IN_PROGRESS') return;
    sd._rollbackReads++;
    if (sd._rollbackReads === 1) {
      sd.status = 'ROLLBACK_IN_PROGRESS';
      sd.targetServiceRevision.requestedProductionTrafficWeight = 0;
      for (const s of sd.sourceServiceRevisions) s.requestedProductionTrafficWeight = 100;
      return;
    }
    const service = this.#service(sd._service);
    Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', finishedAt: this.now() / 1000, updatedAt: this.now() / 1000 });
    const back = service.deployments.find((/** @type {Any} */ x) => x.id === sd._rollbackLegacyId);
    if (back) {
      Object.assign(back, { rolloutState: 'COMPLETED', runningCount: back.desiredCount });
      service.deployments = [back];
    }
    const target = sd.rollback?.serviceRevisionArn;
    if (target)
      service.currentServiceRevisions = [
        { arn: target, requestedTaskCount: service.desiredCount, runningTaskCount: service.desiredCount, pendingTaskCount: 0 },
      ];
    this.#event(service, `service deployment ${sd.serviceDeploymentArn} rolled back.`);
  }

  /** One read of a service deployment: timelines follow the clock, rollbacks and rolling scripts the reads. @param {Any} sd @param {boolean} poll */
  #touch(sd, poll) {
    if (sd._foreignReadsLeft !== undefined) {
      // Someone else's deployment: it finishes after so many reads, or never.
      if (poll && IN_FLIGHT.includes(sd.status) && --sd._foreignReadsLeft <= 0)
        Object.assign(sd, { status: 'SUCCESSFUL', finishedAt: this.now() / 1000 });
      return;
    }
    if (sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS') {
      if (poll) this.#advanceRollback(sd);
      return;
    }
    if (sd._stages) this.#advanceTimeline(sd);
    else if (poll && sd._legacyId) this.#advance(this.#service(sd._service));
  }

  // ── rolling (legacy view: DescribeServices.deployments) ───────────────────────────────────

  /** @param {string} taskDefinition @param {number} desired @param {string} rolloutState @param {number} [running] @param {Any[]} [volumeConfigurations] @returns {Any} */
  #legacyDeployment(taskDefinition, desired, rolloutState, running = 0, volumeConfigurations) {
    return {
      id: `ecs-svc/${String(++this.#seq).padStart(19, '0')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: desired,
      runningCount: running,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState,
      createdAt: this.now() / 1000,
      ...(volumeConfigurations ? { volumeConfigurations } : {}),
    };
  }

  /** @param {Any} service @param {string} message */
  #event(service, message) {
    service.events.unshift({
      id: `ev-${++this.#seq}`,
      createdAt: this.now() / 1000,
      message: `(service ${service.serviceName}) ${message}`,
    });
  }

  /** @param {Any} service @param {Any} d @param {string} reason */
  #stopTask(service, d, reason) {
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${(++this.#seq).toString(16).padStart(32, '0')}`;
    this.#tasks.set(arn, {
      taskArn: arn,
      taskDefinitionArn: d.taskDefinition,
      group: `service:${service.serviceName}`,
      startedBy: d.id,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      containers: [{ name: 'api', exitCode: null, reason }],
    });
    d.failedTasks++;
  }

  /** One step of the script of `service`'s newest rolling deployment. @param {Any} service */
  #advance(service) {
    const d = service.deployments.find((/** @type {Any} */ x) => x.status === 'PRIMARY');
    if (!d || !d._rollout) {
      // A rollback deployment of ours (UpdateService back) without a script completes.
      return;
    }
    const sd = d._sd ? this.#serviceDeployments.get(d._sd) : undefined;
    if (d.rolloutState !== 'IN_PROGRESS' && !(sd && IN_FLIGHT.includes(sd.status))) return;
    if (sd && sd.status !== 'IN_PROGRESS' && sd.status !== 'PENDING') return;
    if (sd) sd.status = 'IN_PROGRESS';
    d._polls++;
    const r = /** @type {Rollout} */ (d._rollout);
    const previous = service.deployments.find((/** @type {Any} */ x) => x.id !== d.id);
    if (r.kind === 'complete' && d._polls >= r.after) {
      d.rolloutState = 'COMPLETED';
      d.runningCount = d.desiredCount;
      service.deployments = [d];
      this.#event(service, 'has reached a steady state.');
      if (sd) this.#succeed(sd);
    } else if (r.kind === 'early-success' && d._polls >= r.after) {
      // ECS declares success at the healthy percentage and scales the rest in the background.
      d.runningCount = r.running;
      if (sd) this.#succeed(sd);
      d.rolloutState = 'IN_PROGRESS';
      service.deployments = [d, ...(previous ? [previous] : [])];
    } else if (r.kind === 'circuit-breaker' && d._polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      this.#event(service, `deployment ${d.id} deployment failed: tasks failed to start.`);
      if (sd) {
        sd.deploymentCircuitBreaker = { status: 'TRIGGERED', failureCount: 3, threshold: 3 };
        this.#requestRollback(
          sd,
          'ECS deployment circuit breaker: 3 tasks failed to start (threshold 3).',
          'ROLLBACK_IN_PROGRESS',
          service._lastSuccessful,
        );
        sd._rollbackReads = 1;
      } else {
        d.status = 'ACTIVE';
        const back = this.#legacyDeployment(previous?.taskDefinition ?? d.taskDefinition, d.desiredCount, 'IN_PROGRESS');
        service.deployments = [back, d];
        service.taskDefinition = back.taskDefinition;
      }
      this.#event(service, 'rolling back to the last completed deployment.');
    } else if (r.kind === 'fail' && d._polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = r.reason;
      this.#event(service, `deployment ${d.id} deployment failed: ${r.reason}`);
      if (sd)
        Object.assign(sd, {
          status: 'STOPPED',
          statusReason: r.reason,
          stoppedAt: this.now() / 1000,
          deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
        });
    } else if (r.kind === 'start-failure' && d._polls === 1) {
      this.#stopTask(service, d, r.reason);
      if (sd) sd.deploymentCircuitBreaker.failureCount++;
      this.#event(service, `has started 1 tasks: (task ${d.id}).`);
    } else if (d.runningCount < d.desiredCount) {
      d.pendingCount = 1;
    }
  }

  /** @param {string | undefined} cluster */
  #checkCluster(cluster) {
    const name =
      String(cluster ?? 'default')
        .split('/')
        .pop() ?? '';
    if (!this.clusters.has(name)) throw new FakeError('ClusterNotFoundException', 'Cluster not found.');
  }

  /** @param {string} operation */
  #serviceDeploymentApi(operation) {
    if (this.serviceDeploymentsApi === 'denied')
      throw new FakeError(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gh is not authorized to perform: ecs:${operation}`,
      );
    if (this.serviceDeploymentsApi === 'unavailable') throw new FakeError('UnknownOperationException', `Unknown operation ${operation}`);
  }

  /** @param {Any} service */
  #describeService(service) {
    const rest = Object.fromEntries(Object.entries(service).filter(([k]) => !k.startsWith('_')));
    const deployments = service.deployments.map((/** @type {Any} */ d) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_'))),
    );
    /** @type {Any} */
    const out = { ...structuredClone({ ...rest, deployments }), status: 'ACTIVE' };
    if (this.serviceDeploymentsApi === 'unavailable') {
      delete out.currentServiceDeployment;
      delete out.currentServiceRevisions;
    }
    return out;
  }

  /** @param {string} operation @param {Any} input @param {string} region @returns {Any} */
  #handle(operation, input, region) {
    switch (operation) {
      case 'DescribeServices': {
        this.#checkCluster(input.cluster);
        const names = /** @type {string[] | undefined} */ (input.services) ?? [];
        const found = names.map((n) => this.#services.get(n.split('/').pop() ?? '')).filter((s) => s !== undefined);
        for (const s of found) {
          if (this.serviceDeploymentsApi === 'available') {
            for (const sd of this.#serviceDeployments.values()) if (sd._service === s.serviceName && sd._stages) this.#advanceTimeline(sd);
          } else {
            const sd = this.#serviceDeployments.get(s.currentServiceDeployment);
            if (sd && (sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS')) this.#advanceRollback(sd);
            else this.#advance(s);
          }
        }
        const failures = names.filter((n) => !this.#services.has(n.split('/').pop() ?? '')).map((n) => ({ arn: n, reason: 'MISSING' }));
        return { services: found.map((s) => this.#describeService(s)), failures };
      }
      case 'DescribeTaskDefinition': {
        const ref = String(input.taskDefinition);
        const td =
          this.#definitions.get(ref) ?? [...this.#definitions.values()].find((d) => String(d.taskDefinitionArn).endsWith(`/${ref}`));
        if (!td) throw new FakeError('ClientException', 'Unable to describe task definition.');
        const include = /** @type {string[] | undefined} */ (input.include) ?? [];
        const tags = this.#definitionTags.get(String(td.taskDefinitionArn));
        return { taskDefinition: td, ...(include.includes('TAGS') ? { tags: tags ?? [] } : {}) };
      }
      case 'RegisterTaskDefinition': {
        const arn = this.registerTaskDefinition(input);
        return {
          taskDefinition: this.#definitions.get(arn),
          ...(this.#definitionTags.has(arn) ? { tags: this.#definitionTags.get(arn) } : {}),
        };
      }
      case 'UpdateService': {
        this.#checkCluster(input.cluster);
        const service = this.#services.get(String(input.service));
        if (!service) throw new FakeError('ServiceNotFoundException', 'Service not found.');
        const taskDefinition = typeof input.taskDefinition === 'string' ? input.taskDefinition : service.taskDefinition;
        if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
        const d = this.#legacyDeployment(taskDefinition, service.desiredCount, 'IN_PROGRESS', 0, service._volumeConfigurations);
        for (const old of service.deployments) old.status = 'ACTIVE';
        service.deployments = [d, ...service.deployments];
        service.taskDefinition = taskDefinition;
        const scripted = /** @type {Rollout[]} */ (this.#rollouts.get(service.serviceName) ?? []);
        const rollout = scripted.shift();
        const sd = this.#newServiceDeployment(service, taskDefinition);
        sd._legacyId = d.id;
        d._sd = sd.serviceDeploymentArn;
        if (this.#strategy(service) === 'ROLLING') {
          d._rollout = rollout ?? { kind: 'complete', after: 1 };
          d._polls = 0;
        } else {
          Object.assign(sd, {
            _stages: this.#timeline(service.deploymentConfiguration),
            _stageIndex: 0,
            _stageAt: this.now(),
            _rollout: rollout,
            lifecycleStage: 'PRE_SCALE_UP',
          });
        }
        service.currentServiceDeployment = sd.serviceDeploymentArn;
        this.#event(service, `has begun deployment ${d.id}.`);
        return { service: this.#describeService(service) };
      }
      case 'ListServiceDeployments': {
        this.#serviceDeploymentApi(operation);
        this.#checkCluster(input.cluster);
        const name = String(input.service).split('/').pop();
        const statuses = /** @type {string[] | undefined} */ (input.status);
        const list = [...this.#serviceDeployments.values()].filter((sd) => sd._service === name);
        for (const sd of list) this.#touch(sd, false);
        return {
          serviceDeployments: list
            .filter((sd) => !statuses || statuses.includes(sd.status))
            .reverse()
            .map((sd) => ({
              serviceDeploymentArn: sd.serviceDeploymentArn,
              serviceArn: sd.serviceArn,
              clusterArn: sd.clusterArn,
              createdAt: sd.createdAt,
              startedAt: sd.startedAt,
              ...(sd.finishedAt ? { finishedAt: sd.finishedAt } : {}),
              targetServiceRevisionArn: sd.targetServiceRevision.arn,
              status: sd.status,
              ...(sd.statusReason ? { statusReason: sd.statusReason } : {}),
            })),
        };
      }
      case 'DescribeServiceDeployments': {
        this.#serviceDeploymentApi(operation);
        const arns = /** @type {string[]} */ (input.serviceDeploymentArns ?? []);
        if (arns.length > 20) throw new FakeError('InvalidParameterException', 'You can specify a maximum of 20 ARNs.');
        const found = arns.map((a) => this.#serviceDeployments.get(a)).filter((sd) => sd !== undefined);
        for (const sd of found) this.#touch(sd, true);
        return {
          serviceDeployments: found.map((sd) => this.#public(sd)),
          failures: arns.filter((a) => !this.#serviceDeployments.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      case 'StopServiceDeployment': {
        this.#serviceDeploymentApi(operation);
        const sd = this.#serviceDeployments.get(String(input.serviceDeploymentArn));
        if (!sd) throw new FakeError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
        if (sd.status !== 'PENDING' && sd.status !== 'IN_PROGRESS')
          throw new FakeError('ConflictException', `The service deployment is ${sd.status} and cannot be stopped.`);
        this.#requestRollback(sd, 'Service deployment stopped with StopServiceDeployment (ROLLBACK).');
        return { serviceDeploymentArn: sd.serviceDeploymentArn };
      }
      case 'ContinueServiceDeployment': {
        this.#serviceDeploymentApi(operation);
        const sd = this.#serviceDeployments.get(String(input.serviceDeploymentArn));
        if (!sd) throw new FakeError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
        const hook = (sd.lifecycleHookDetails ?? []).find((/** @type {Any} */ h) => h.hookId === input.hookId);
        if (!hook || hook.status !== 'AWAITING_ACTION' || sd.status !== 'IN_PROGRESS')
          throw new FakeError('ConflictException', 'The lifecycle hook is not awaiting action.');
        hook.status = 'SUCCEEDED';
        if (input.action === 'ROLLBACK') this.#requestRollback(sd, `Lifecycle hook ${hook.hookId} answered ROLLBACK.`);
        else sd._stageAt = this.now();
        return { serviceDeploymentArn: sd.serviceDeploymentArn };
      }
      case 'DescribeServiceRevisions': {
        this.#serviceDeploymentApi(operation);
        const arns = /** @type {string[]} */ (input.serviceRevisionArns ?? []);
        return {
          serviceRevisions: arns.map((a) => this.#serviceRevisions.get(a)).filter((r) => r !== undefined),
          failures: arns.filter((a) => !this.#serviceRevisions.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
        };
      }
      case 'ListTasks': {
        const service = typeof input.serviceName === 'string' ? input.serviceName : '';
        const arns = [...this.#tasks.values()]
          .filter((t) => t.group === `service:${service}` && t.desiredStatus === input.desiredStatus)
          .map((t) => t.taskArn);
        return { taskArns: arns };
      }
      case 'DescribeTasks': {
        const arns = /** @type {string[] | undefined} */ (input.tasks) ?? [];
        const tasks = arns.map((arn) => this.#tasks.get(arn)).filter((t) => t !== undefined);
        for (const t of tasks) {
          const pending = /** @type {string[] | undefined} */ (t.pendingStatuses);
          if (pending && pending.length > 0) t.lastStatus = pending.shift();
          if (t.lastStatus === 'STOPPED' && t.finalContainers) t.containers = t.finalContainers;
        }
        return { tasks: tasks.map(({ pendingStatuses: _p, finalContainers: _f, ...t }) => t), failures: [] };
      }
      case 'RunTask':
        return this.#runTask(input);
      case 'StopTask': {
        const t = this.#tasks.get(String(input.task));
        if (t) Object.assign(t, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', pendingStatuses: [], stoppedReason: input.reason });
        return { task: t ?? {} };
      }
      case 'GetLogEvents':
        return this.#getLogEvents(input, region);
      default:
        throw new FakeError('UnknownOperationException', `the fake does not implement ${operation}`);
    }
  }

  /** @param {Any} input @returns {Any} */
  #runTask(input) {
    const m = this.migration;
    // As ECS does: the same clientToken returns the task it already started.
    const token = typeof input.clientToken === 'string' ? input.clientToken : undefined;
    const earlier = token ? this.#runTokens.get(token) : undefined;
    if (earlier) return { tasks: [{ taskArn: earlier, lastStatus: this.#tasks.get(earlier)?.lastStatus ?? 'PROVISIONING' }], failures: [] };
    const definition = this.#definitions.get(String(input.taskDefinition));
    // A volume configured at launch needs its configuration in RunTask (API_TaskVolumeConfiguration).
    const given = new Set((input.volumeConfigurations ?? []).map((/** @type {Any} */ v) => v.name));
    const missing = (definition?.volumes ?? []).filter((/** @type {Any} */ v) => v.configuredAtLaunch && !given.has(v.name));
    if (missing.length > 0)
      throw new FakeError(
        'InvalidParameterException',
        `Volume ${missing[0].name} is configured at launch; specify it in volumeConfigurations.`,
      );
    if (m.runFailure) return { tasks: [], failures: [{ arn: String(input.taskDefinition), ...m.runFailure }] };
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${(++this.#seq).toString(16).padStart(32, '0')}`;
    const overrides = /** @type {{ containerOverrides?: { name?: string }[] } | undefined} */ (input.overrides);
    const container = String(overrides?.containerOverrides?.[0]?.name);
    this.#tasks.set(arn, {
      taskArn: arn,
      taskDefinitionArn: input.taskDefinition,
      startedBy: input.startedBy,
      group: 'family:migrate',
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      pendingStatuses: [...(m.statuses ?? ['STOPPED'])],
      ...(m.stopCode ? { stopCode: m.stopCode } : {}),
      ...(m.stoppedReason ? { stoppedReason: m.stoppedReason } : {}),
      containers: [{ name: container, lastStatus: 'PENDING' }],
      finalContainers: [
        {
          name: container,
          lastStatus: 'STOPPED',
          ...(m.exitCode === null ? {} : { exitCode: m.exitCode }),
          ...(m.containerReason ? { reason: m.containerReason } : {}),
        },
      ],
    });
    if (m.logs) {
      const containers = /** @type {Any[] | undefined} */ (definition?.containerDefinitions);
      const options = containers?.find((c) => c.name === container)?.logConfiguration?.options;
      if (options?.['awslogs-group'] && options['awslogs-stream-prefix'])
        this.putLogs(
          options['awslogs-group'],
          `${options['awslogs-stream-prefix']}/${container}/${arn.split('/').pop() ?? ''}`,
          m.logs,
          options['awslogs-region'] ?? REGION,
        );
    }
    if (token) this.#runTokens.set(token, arn);
    return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
  }

  /**
   * Read backwards from the end: the first page (no token) is empty, its nextBackwardToken leads to
   * the events, and past them the token stops changing.
   * @param {Any} input @param {string} region @returns {Any}
   */
  #getLogEvents(input, region) {
    const stored = this.#logs.get(`${String(input.logGroupName)}|${String(input.logStreamName)}`);
    if (!stored || (region && stored.region !== region))
      throw new FakeError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const token = typeof input.nextToken === 'string' ? input.nextToken : undefined;
    if (token === undefined) return { events: [], nextBackwardToken: 'b/1', nextForwardToken: 'f/0' };
    if (token === 'b/1') {
      const limit = typeof input.limit === 'number' ? input.limit : 10_000;
      return {
        events: stored.lines.slice(-limit).map((message, i) => ({ timestamp: 1_700_000_000_000 + i, message })),
        nextBackwardToken: 'b/2',
        nextForwardToken: 'f/1',
      };
    }
    return { events: [], nextBackwardToken: token, nextForwardToken: 'f/1' };
  }
}

/**
 * A Fargate task definition like the seed's API, logging to CloudWatch.
 * @param {string} [image]
 * @returns {Json}
 */
export function apiTaskDefinition(image = 'registry.example.com/api:1.0.0') {
  return {
    family: 'api',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecution`,
    containerDefinitions: [
      {
        name: 'api',
        image,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: [{ name: 'NODE_ENV', value: 'production' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/api', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' },
        },
      },
    ],
  };
}
