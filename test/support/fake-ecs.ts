// A scripted ECS (and CloudWatch Logs) for the rollout paths moto cannot play: an in-process HTTP
// server speaking the JSON 1.1 protocol the real SDK uses, whose deployments follow a timeline
// that advances one step per DescribeServices call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  createdAt: number;
}

interface FakeService {
  serviceName: string;
  serviceArn: string;
  taskDefinition: string;
  desiredCount: number;
  launchType: string;
  networkConfiguration: Json;
  deploymentController?: { type: string };
  deployments: Deployment[];
  events: { id: string; createdAt: number; message: string }[];
}

/** What happens to a deployment, one step per poll. */
export type Rollout =
  | { kind: 'complete'; after: number }
  | { kind: 'circuit-breaker'; after: number }
  | { kind: 'fail'; after: number; reason: string }
  | { kind: 'stuck' }
  | { kind: 'start-failure'; reason: string };

export interface MigrationScript {
  /** Statuses DescribeTasks reports, one per call; the last one is STOPPED. */
  statuses?: string[];
  exitCode: number | null;
  stopCode?: string;
  stoppedReason?: string;
  containerReason?: string;
  logs?: string[];
  /** RunTask answers with this failure instead of a task. */
  runFailure?: { reason: string; detail?: string };
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const now = () => Date.now() / 1000;

export class FakeEcs {
  readonly calls: { operation: string; input: Json }[] = [];
  private readonly definitions = new Map<string, Json>();
  private readonly revisions = new Map<string, number>();
  private readonly services = new Map<string, FakeService>();
  private readonly tasks = new Map<string, Json>();
  private readonly logs = new Map<string, string[]>();
  private readonly rollouts = new Map<string, Rollout[]>();
  private readonly progress = new Map<string, { rollout: Rollout; polls: number }>();
  private readonly throttles = new Map<string, number>();
  migration: MigrationScript = { exitCode: 0 };
  private server?: Server;
  private seq = 0;
  endpoint = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.split('.').pop() ?? '';
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
        this.calls.push({ operation, input });
        const send = (status: number, body: Json) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        const throttled = this.throttles.get(operation) ?? 0;
        if (throttled > 0) {
          this.throttles.set(operation, throttled - 1);
          return send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        }
        try {
          send(200, this.handle(operation, input));
        } catch (error) {
          const e = error as { type?: string; message: string };
          send(400, { __type: e.type ?? 'InvalidParameterException', message: e.message });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  ops(...names: string[]) {
    return this.calls.filter((c) => names.includes(c.operation));
  }

  /** The next `count` calls of `operation` answer ThrottlingException. */
  throttle(operation: string, count: number): void {
    this.throttles.set(operation, count);
  }

  registerTaskDefinition(td: Json): string {
    const family = String(td.family);
    const revision = (this.revisions.get(family) ?? 0) + 1;
    this.revisions.set(family, revision);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    this.definitions.set(arn, { ...td, taskDefinitionArn: arn, revision, status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE'], requiresAttributes: [], registeredAt: now() });
    return arn;
  }

  createService(name: string, taskDefinition: string, options: { desiredCount?: number; controller?: string } = {}): void {
    const desired = options.desiredCount ?? 2;
    this.services.set(name, {
      serviceName: name,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${name}`,
      taskDefinition,
      desiredCount: desired,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      ...(options.controller ? { deploymentController: { type: options.controller } } : {}),
      deployments: [this.deployment(taskDefinition, desired, 'COMPLETED', desired)],
      events: [],
    });
  }

  /** What the next deployments of `service` do, in order (our rollout, then our rollback). */
  script(service: string, ...rollouts: Rollout[]): void {
    this.rollouts.set(service, rollouts);
  }

  putLogs(group: string, stream: string, lines: string[]): void {
    this.logs.set(`${group}|${stream}`, lines);
  }

  service(name: string): FakeService {
    return this.services.get(name)!;
  }

  definition(arn: string): Json | undefined {
    return this.definitions.get(arn);
  }

  private deployment(taskDefinition: string, desired: number, rolloutState: Deployment['rolloutState'], running = 0): Deployment {
    return { id: `ecs-svc/${String(++this.seq).padStart(19, '0')}`, status: 'PRIMARY', taskDefinition, desiredCount: desired, runningCount: running, pendingCount: 0, failedTasks: 0, rolloutState, createdAt: now() };
  }

  private event(service: FakeService, message: string): void {
    service.events.unshift({ id: `ev-${++this.seq}`, createdAt: now(), message: `(service ${service.serviceName}) ${message}` });
  }

  private stopTask(service: FakeService, d: Deployment, reason: string): void {
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${(++this.seq).toString(16).padStart(32, '0')}`;
    this.tasks.set(arn, {
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

  /** One step of the timeline of `service`'s newest deployment. */
  private advance(service: FakeService): void {
    const d = service.deployments.find((x) => x.status === 'PRIMARY');
    if (!d) return;
    const state = this.progress.get(d.id);
    if (!state || d.rolloutState !== 'IN_PROGRESS') return;
    state.polls++;
    const r = state.rollout;
    const previous = service.deployments.find((x) => x.id !== d.id);
    if (r.kind === 'complete' && state.polls >= r.after) {
      d.rolloutState = 'COMPLETED';
      d.runningCount = d.desiredCount;
      service.deployments = [d];
      this.event(service, 'has reached a steady state.');
    } else if (r.kind === 'circuit-breaker' && state.polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      d.status = 'ACTIVE';
      const back = this.deployment(previous?.taskDefinition ?? d.taskDefinition, d.desiredCount, 'IN_PROGRESS');
      service.deployments = [back, d];
      service.taskDefinition = back.taskDefinition;
      this.event(service, `deployment ${d.id} deployment failed: tasks failed to start.`);
      this.event(service, `rolling back to deployment ${back.id}.`);
    } else if (r.kind === 'fail' && state.polls >= r.after) {
      d.rolloutState = 'FAILED';
      d.rolloutStateReason = r.reason;
      this.event(service, `deployment ${d.id} deployment failed: ${r.reason}`);
    } else if (r.kind === 'start-failure' && state.polls === 1) {
      this.stopTask(service, d, r.reason);
      this.event(service, `has started 1 tasks: (task ${d.id}).`);
    } else if (d.runningCount < d.desiredCount) {
      d.pendingCount = 1;
    }
  }

  private handle(operation: string, input: Json): Json {
    switch (operation) {
      case 'DescribeServices': {
        const names = (input.services as string[]) ?? [];
        const found = names.map((n) => this.services.get(n.split('/').pop()!)).filter((s): s is FakeService => s !== undefined);
        found.forEach((s) => this.advance(s));
        const failures = names.filter((n) => !this.services.has(n.split('/').pop()!)).map((n) => ({ arn: n, reason: 'MISSING' }));
        return { services: found.map((s) => ({ ...s, status: 'ACTIVE' })), failures };
      }
      case 'DescribeTaskDefinition': {
        const ref = String(input.taskDefinition);
        const td = this.definitions.get(ref) ?? [...this.definitions.values()].find((d) => String(d.taskDefinitionArn).endsWith(`/${ref}`));
        if (!td) throw Object.assign(new Error('Unable to describe task definition.'), { type: 'ClientException' });
        return { taskDefinition: td };
      }
      case 'RegisterTaskDefinition': {
        const arn = this.registerTaskDefinition(input);
        return { taskDefinition: this.definitions.get(arn) };
      }
      case 'UpdateService': {
        const service = this.services.get(String(input.service));
        if (!service) throw Object.assign(new Error('Service not found.'), { type: 'ServiceNotFoundException' });
        const taskDefinition = typeof input.taskDefinition === 'string' ? input.taskDefinition : service.taskDefinition;
        if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
        const d = this.deployment(taskDefinition, service.desiredCount, 'IN_PROGRESS');
        for (const old of service.deployments) old.status = 'ACTIVE';
        service.deployments = [d, ...service.deployments];
        service.taskDefinition = taskDefinition;
        const scripted = this.rollouts.get(service.serviceName) ?? [];
        this.progress.set(d.id, { rollout: scripted.shift() ?? { kind: 'complete', after: 1 }, polls: 0 });
        this.event(service, `has begun deployment ${d.id}.`);
        return { service };
      }
      case 'ListTasks': {
        const service = typeof input.serviceName === 'string' ? input.serviceName : '';
        const arns = [...this.tasks.values()].filter((t) => t.group === `service:${service}` && t.desiredStatus === input.desiredStatus).map((t) => t.taskArn);
        return { taskArns: arns };
      }
      case 'DescribeTasks': {
        const tasks = ((input.tasks as string[]) ?? []).map((arn) => this.tasks.get(arn)).filter((t): t is Json => t !== undefined);
        for (const t of tasks) {
          const pending = t.pendingStatuses as string[] | undefined;
          if (pending && pending.length > 0) t.lastStatus = pending.shift();
          if (t.lastStatus === 'STOPPED' && t.finalContainers) t.containers = t.finalContainers;
        }
        return { tasks: tasks.map(({ pendingStatuses: _p, finalContainers: _f, ...t }) => t), failures: [] };
      }
      case 'RunTask': {
        const m = this.migration;
        if (m.runFailure) return { tasks: [], failures: [{ arn: String(input.taskDefinition), ...m.runFailure }] };
        const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${(++this.seq).toString(16).padStart(32, '0')}`;
        const container = String(((input.overrides as Json).containerOverrides as Json[])[0]!.name);
        this.tasks.set(arn, {
          taskArn: arn,
          taskDefinitionArn: input.taskDefinition,
          startedBy: input.startedBy,
          group: 'family:migrate',
          lastStatus: 'PROVISIONING',
          desiredStatus: 'RUNNING',
          pendingStatuses: m.statuses ?? ['STOPPED'],
          ...(m.stopCode ? { stopCode: m.stopCode } : {}),
          ...(m.stoppedReason ? { stoppedReason: m.stoppedReason } : {}),
          containers: [{ name: container, lastStatus: 'PENDING' }],
          finalContainers: [{ name: container, lastStatus: 'STOPPED', ...(m.exitCode === null ? {} : { exitCode: m.exitCode }), ...(m.containerReason ? { reason: m.containerReason } : {}) }],
        });
        return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
      }
      case 'StopTask': {
        const t = this.tasks.get(String(input.task));
        if (t) Object.assign(t, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', pendingStatuses: [], stoppedReason: input.reason });
        return { task: t ?? {} };
      }
      case 'GetLogEvents': {
        const lines = this.logs.get(`${String(input.logGroupName)}|${String(input.logStreamName)}`);
        if (!lines) throw Object.assign(new Error('The specified log stream does not exist.'), { type: 'ResourceNotFoundException' });
        return { events: lines.map((message, i) => ({ timestamp: Date.now() + i, message })) };
      }
      default:
        throw Object.assign(new Error(`the fake does not implement ${operation}`), { type: 'UnknownOperationException' });
    }
  }
}

/** A Fargate task definition like the seed's API, logging to CloudWatch. */
export function apiTaskDefinition(image = 'registry.example.com/api:1.0.0'): Json {
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
