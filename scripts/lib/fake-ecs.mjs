// A scripted ECS (and CloudWatch Logs) for the rollout paths moto cannot play: an in-process HTTP
// server speaking the JSON 1.1 protocol the real SDK uses, whose deployments follow a timeline
// that advances one step per DescribeServices call. Used by the tests and by npm run demo.
import { createServer } from 'node:http';

/** @typedef {Record<string, unknown>} Json */

/**
 * @typedef {object} Deployment
 * @property {string} id
 * @property {'PRIMARY' | 'ACTIVE' | 'INACTIVE'} status
 * @property {string} taskDefinition
 * @property {number} desiredCount
 * @property {number} runningCount
 * @property {number} pendingCount
 * @property {number} failedTasks
 * @property {'IN_PROGRESS' | 'COMPLETED' | 'FAILED'} rolloutState
 * @property {string} [rolloutStateReason]
 * @property {number} createdAt
 */

/**
 * @typedef {object} FakeService
 * @property {string} serviceName
 * @property {string} serviceArn
 * @property {string} taskDefinition
 * @property {number} desiredCount
 * @property {string} launchType
 * @property {Json} networkConfiguration
 * @property {{ type: string }} [deploymentController]
 * @property {Deployment[]} deployments
 * @property {{ id: string, createdAt: number, message: string }[]} events
 */

/**
 * What happens to a deployment, one step per poll.
 * @typedef {{ kind: 'complete', after: number }
 *   | { kind: 'circuit-breaker', after: number }
 *   | { kind: 'fail', after: number, reason: string }
 *   | { kind: 'stuck' }
 *   | { kind: 'start-failure', reason: string }} Rollout
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
const now = () => Date.now() / 1000;

/** An error the fake answers with: `type` becomes the JSON `__type`. */
class FakeError extends Error {
  /** @param {string} type @param {string} message */
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

export class FakeEcs {
  /**
   * Every request, in order: the operation (from X-Amz-Target) and its JSON input.
   * @readonly
   * @type {{ operation: string, input: Json }[]}
   */
  calls = [];
  /** @type {MigrationScript} */
  migration = { exitCode: 0 };
  endpoint = '';
  /** @type {Map<string, Json>} */
  #definitions = new Map();
  /** @type {Map<string, number>} */
  #revisions = new Map();
  /** @type {Map<string, FakeService>} */
  #services = new Map();
  /** @type {Map<string, Json>} */
  #tasks = new Map();
  /** @type {Map<string, string[]>} */
  #logs = new Map();
  /** @type {Map<string, Rollout[]>} */
  #rollouts = new Map();
  /** @type {Map<string, { rollout: Rollout, polls: number }>} */
  #progress = new Map();
  /** @type {Map<string, number>} */
  #throttles = new Map();
  /** @type {import('node:http').Server | undefined} */
  #server;
  #seq = 0;
  /** RunTask clientToken → the task it started. @type {Map<string, string>} */
  #runTokens = new Map();

  /** @returns {Promise<this>} */
  async start() {
    const server = createServer((req, res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.split('.').pop() ?? '';
        /** @param {number} status @param {Json} body */
        const send = (status, body) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        /** @type {Json} */
        let input;
        try {
          input = /** @type {Json} */ (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
        } catch {
          return send(400, { __type: 'SerializationException', message: 'the request body is not JSON' });
        }
        this.calls.push({ operation, input });
        const throttled = this.#throttles.get(operation) ?? 0;
        if (throttled > 0) {
          this.#throttles.set(operation, throttled - 1);
          return send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        }
        try {
          send(200, this.#handle(operation, input));
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

  /** The next `count` calls of `operation` answer ThrottlingException. @param {string} operation @param {number} count */
  throttle(operation, count) {
    this.#throttles.set(operation, count);
  }

  /** @param {Json} td @returns {string} the new revision's ARN */
  registerTaskDefinition(td) {
    const family = String(td.family);
    const revision = (this.#revisions.get(family) ?? 0) + 1;
    this.#revisions.set(family, revision);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    this.#definitions.set(arn, { ...td, taskDefinitionArn: arn, revision, status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE'], requiresAttributes: [], registeredAt: now() });
    return arn;
  }

  /** @param {string} name @param {string} taskDefinition @param {{ desiredCount?: number, controller?: string }} [options] */
  createService(name, taskDefinition, options = {}) {
    const desired = options.desiredCount ?? 2;
    this.#services.set(name, {
      serviceName: name,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${name}`,
      taskDefinition,
      desiredCount: desired,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      ...(options.controller ? { deploymentController: { type: options.controller } } : {}),
      deployments: [this.#deployment(taskDefinition, desired, 'COMPLETED', desired)],
      events: [],
    });
  }

  /** What the next deployments of `service` do, in order (our rollout, then our rollback). @param {string} service @param {...Rollout} rollouts */
  script(service, ...rollouts) {
    this.#rollouts.set(service, rollouts);
  }

  /** @param {string} group @param {string} stream @param {string[]} lines */
  putLogs(group, stream, lines) {
    this.#logs.set(`${group}|${stream}`, lines);
  }

  /** @param {string} name @returns {FakeService} */
  service(name) {
    const service = this.#services.get(name);
    if (!service) throw new Error(`fake ECS: no service ${name}`);
    return service;
  }

  /** @param {string} arn @returns {Json | undefined} */
  definition(arn) {
    return this.#definitions.get(arn);
  }

  /** @param {string} taskDefinition @param {number} desired @param {Deployment['rolloutState']} rolloutState @param {number} [running] @returns {Deployment} */
  #deployment(taskDefinition, desired, rolloutState, running = 0) {
    return { id: `ecs-svc/${String(++this.#seq).padStart(19, '0')}`, status: 'PRIMARY', taskDefinition, desiredCount: desired, runningCount: running, pendingCount: 0, failedTasks: 0, rolloutState, createdAt: now() };
  }

  /** @param {FakeService} service @param {string} message */
  #event(service, message) {
    service.events.unshift({ id: `ev-${++this.#seq}`, createdAt: now(), message: `(service ${service.serviceName}) ${message}` });
  }

  /** @param {FakeService} service @param {Deployment} d @param {string} reason */
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

  /** One step of the timeline of `service`'s newest deployment. @param {FakeService} service */
  #advance(service) {
    const d = service.deployments.find((x) => x.status === 'PRIMARY');
    if (!d) return;
    const state = this.#progress.get(d.id);
    if (!state || d.rolloutState !== 'IN_PROGRESS') return;
    state.polls++;
    const r = state.rollout;
    const previous = service.deployments.find((x) => x.id !== d.id);
    if (r.kind === 'complete' && state.polls >= r.after) {
      d.rolloutState = 'COMPLETED';
      d.runningCount = d.desiredCount;
      service.deployments = [d];
      this.#event(service, 'has reached a steady state.');
    } else if (r.kind === 'circuit-breaker' && state.polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      d.status = 'ACTIVE';
      const back = this.#deployment(previous?.taskDefinition ?? d.taskDefinition, d.desiredCount, 'IN_PROGRESS');
      service.deployments = [back, d];
      service.taskDefinition = back.taskDefinition;
      this.#event(service, `deployment ${d.id} deployment failed: tasks failed to start.`);
      this.#event(service, `rolling back to deployment ${back.id}.`);
    } else if (r.kind === 'fail' && state.polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = r.reason;
      this.#event(service, `deployment ${d.id} deployment failed: ${r.reason}`);
    } else if (r.kind === 'start-failure' && state.polls === 1) {
      this.#stopTask(service, d, r.reason);
      this.#event(service, `has started 1 tasks: (task ${d.id}).`);
    } else if (d.runningCount < d.desiredCount) {
      d.pendingCount = 1;
    }
  }

  /** @param {string} operation @param {Json} input @returns {Json} */
  #handle(operation, input) {
    switch (operation) {
      case 'DescribeServices': {
        const names = /** @type {string[] | undefined} */ (input.services) ?? [];
        const found = names.map((n) => this.#services.get(n.split('/').pop() ?? '')).filter((s) => s !== undefined);
        found.forEach((s) => this.#advance(s));
        const failures = names.filter((n) => !this.#services.has(n.split('/').pop() ?? '')).map((n) => ({ arn: n, reason: 'MISSING' }));
        return { services: found.map((s) => ({ ...s, status: 'ACTIVE' })), failures };
      }
      case 'DescribeTaskDefinition': {
        const ref = String(input.taskDefinition);
        const td = this.#definitions.get(ref) ?? [...this.#definitions.values()].find((d) => String(d.taskDefinitionArn).endsWith(`/${ref}`));
        if (!td) throw new FakeError('ClientException', 'Unable to describe task definition.');
        return { taskDefinition: td };
      }
      case 'RegisterTaskDefinition': {
        const arn = this.registerTaskDefinition(input);
        return { taskDefinition: this.#definitions.get(arn) };
      }
      case 'UpdateService': {
        const service = this.#services.get(String(input.service));
        if (!service) throw new FakeError('ServiceNotFoundException', 'Service not found.');
        const taskDefinition = typeof input.taskDefinition === 'string' ? input.taskDefinition : service.taskDefinition;
        if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
        const d = this.#deployment(taskDefinition, service.desiredCount, 'IN_PROGRESS');
        for (const old of service.deployments) old.status = 'ACTIVE';
        service.deployments = [d, ...service.deployments];
        service.taskDefinition = taskDefinition;
        const scripted = this.#rollouts.get(service.serviceName) ?? [];
        this.#progress.set(d.id, { rollout: scripted.shift() ?? { kind: 'complete', after: 1 }, polls: 0 });
        this.#event(service, `has begun deployment ${d.id}.`);
        return { service };
      }
      case 'ListTasks': {
        const service = typeof input.serviceName === 'string' ? input.serviceName : '';
        const arns = [...this.#tasks.values()].filter((t) => t.group === `service:${service}` && t.desiredStatus === input.desiredStatus).map((t) => t.taskArn);
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
      case 'RunTask': {
        const m = this.migration;
        // As ECS does: the same clientToken returns the task it already started.
        const token = typeof input.clientToken === 'string' ? input.clientToken : undefined;
        const earlier = token ? this.#runTokens.get(token) : undefined;
        if (earlier) return { tasks: [{ taskArn: earlier, lastStatus: this.#tasks.get(earlier)?.lastStatus ?? 'PROVISIONING' }], failures: [] };
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
          finalContainers: [{ name: container, lastStatus: 'STOPPED', ...(m.exitCode === null ? {} : { exitCode: m.exitCode }), ...(m.containerReason ? { reason: m.containerReason } : {}) }],
        });
        if (m.logs) {
          const definition = this.#definitions.get(String(input.taskDefinition));
          const containers = /** @type {{ name?: string, logConfiguration?: { logDriver?: string, options?: Record<string, string> } }[] | undefined} */ (definition?.containerDefinitions);
          const options = containers?.find((c) => c.name === container)?.logConfiguration?.options;
          if (options?.['awslogs-group'] && options['awslogs-stream-prefix']) this.putLogs(options['awslogs-group'], `${options['awslogs-stream-prefix']}/${container}/${arn.split('/').pop() ?? ''}`, m.logs);
        }
        if (token) this.#runTokens.set(token, arn);
        return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
      }
      case 'StopTask': {
        const t = this.#tasks.get(String(input.task));
        if (t) Object.assign(t, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', pendingStatuses: [], stoppedReason: input.reason });
        return { task: t ?? {} };
      }
      case 'GetLogEvents': {
        const lines = this.#logs.get(`${String(input.logGroupName)}|${String(input.logStreamName)}`);
        if (!lines) throw new FakeError('ResourceNotFoundException', 'The specified log stream does not exist.');
        return { events: lines.map((message, i) => ({ timestamp: Date.now() + i, message })) };
      }
      default:
        throw new FakeError('UnknownOperationException', `the fake does not implement ${operation}`);
    }
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
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/api', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' } },
      },
    ],
  };
}
