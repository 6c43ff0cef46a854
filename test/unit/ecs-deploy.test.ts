// The rollout logic against a scripted ECS, the real SDK talking to it over HTTP.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployToEcs, type EcsDeployRequest, type EcsDeployResult } from '../../src/lib/ecs/deploy.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { judge } from '../../src/lib/ecs/rollout.js';
import type { Service } from '@aws-sdk/client-ecs';
import type { Clock } from '../../src/lib/util/clock.js';
import { apiTaskDefinition, FakeEcs, THROTTLING } from '../../stand-ins/fake-ecs.mjs';
import { parseTaskDefinition } from '../../src/lib/ecs/task-definition.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';

let ecs: FakeEcs;
let health: Server | undefined;
let healthStatus = 200;

beforeEach(async () => {
  ecs = await new FakeEcs().start();
  const arn = ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0'));
  ecs.createService('api', arn);
});
afterEach(async () => {
  await ecs.close();
  await new Promise<void>((resolve) => (health ? health.close(() => resolve()) : resolve()));
  health = undefined;
});

async function healthEndpoint(status: number): Promise<string> {
  healthStatus = status;
  health = createServer((_req, res) => {
    res.writeHead(healthStatus);
    res.end('ok');
  });
  await new Promise<void>((resolve) => health!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
}

/** Time passes only when the code sleeps. */
function fakeClock(): Clock {
  let t = 0;
  return { now: () => t, sleep: (ms) => ((t += ms), Promise.resolve()) };
}

const clients = () => {
  const config = { endpoint: ecs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 8 };
  return {
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    logsIn: (region: string) => new CloudWatchLogsClient({ ...config, region }),
  };
};

const request = (overrides: Partial<EcsDeployRequest> = {}): EcsDeployRequest => ({
  cluster: 'prod',
  services: ['api'],
  containerName: 'api',
  image: 'registry.example.com/api:2.0.0',
  images: {},
  environment: {},
  wait: true,
  timeoutMs: 15 * 60_000,
  rollback: true,
  forceNewDeployment: false,
  dryRun: false,
  ...overrides,
});

const deploy = (r: EcsDeployRequest) => deployToEcs(r, { clients: clients(), clock: fakeClock(), log: silentLogger });

async function failure(r: EcsDeployRequest): Promise<EcsDeployResult> {
  const error = await deploy(r).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartialFailure);
  return (error as PartialFailure<EcsDeployResult>).result;
}

const updates = () => ecs.ops('UpdateService').map((c) => c.input.taskDefinition);

// Today's logic, kept as the fallback where ECS's service deployment API cannot be used (an older
// partition: no currentServiceDeployment, UnknownOperationException). The same paths followed
// through the service deployment record are in ecs-service-deployments.test.ts.
describe('a rolling rollout followed with DescribeServices (service deployment API unavailable)', () => {
  beforeEach(() => {
    ecs.serviceDeploymentsApi = 'unavailable';
  });

  it('succeeds: registers the new image, migrates, rolls out, checks /health', async () => {
    const url = await healthEndpoint(200);
    ecs.script('api', { kind: 'complete', after: 3 });
    const result = await deploy(
      request({ migrate: { command: ['npm', 'run', 'migrate'] }, healthCheckUrl: url, environment: { RELEASE: 'v2=final' } }),
    );
    expect(result).toMatchObject({
      status: 'completed',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2',
      previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:1',
      image: 'registry.example.com/api:2.0.0',
    });
    const registered = ecs.definition(result.taskDefinitionArn)!;
    expect(registered.containerDefinitions).toMatchObject([
      {
        image: 'registry.example.com/api:2.0.0',
        environment: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'RELEASE', value: 'v2=final' },
        ],
      },
    ]);
    const run = ecs.ops('RunTask')[0]!.input;
    expect(run).toMatchObject({
      taskDefinition: result.taskDefinitionArn,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      overrides: { containerOverrides: [{ name: 'api', command: ['npm', 'run', 'migrate'] }] },
    });
    // The migration ran before the service was touched.
    const order = ecs.calls.map((c) => c.operation);
    expect(order.indexOf('RunTask')).toBeLessThan(order.indexOf('UpdateService'));
    expect(updates()).toEqual([result.taskDefinitionArn]);
    expect(result.deploymentIds.api).toMatch(/^ecs-svc\//);
    expect(result.timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^registered /),
        'the migration exited 0',
        'rollout completed',
        `health check passed: ${url}`,
      ]),
    );
    expect(result.diff).toEqual(
      expect.arrayContaining([
        { path: 'containerDefinitions[api].image', before: '"registry.example.com/api:1.0.0"', after: '"registry.example.com/api:2.0.0"' },
      ]),
    );
  });

  it('reports rolled-back, never success, when the circuit breaker rolls back', async () => {
    ecs.script('api', { kind: 'circuit-breaker', after: 2 });
    const result = await failure(request());
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatch(/circuit breaker/);
    expect(updates()).toHaveLength(1);
    expect(result.diagnostics.join('\n')).toMatch(/api event: .*deployment failed: tasks failed to start/);
  });

  it('FAILED without an ECS rollback: rolls back itself, and says so', async () => {
    ecs.script('api', { kind: 'fail', after: 2, reason: 'tasks failed health checks' }, { kind: 'complete', after: 1 });
    const result = await failure(request());
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatch(/rollout FAILED: tasks failed health checks\. Rolled back to the previous revision\./);
    expect(updates()).toEqual([result.taskDefinitionArn, result.previousTaskDefinitionArn]);
    expect(result.timeline.at(-1)!.event).toBe('rollback completed');
  });

  it('FAILED with rollback off: fails and leaves the service', async () => {
    ecs.script('api', { kind: 'fail', after: 1, reason: 'tasks failed health checks' });
    const result = await failure(request({ rollback: false }));
    expect(result.status).toBe('failed');
    expect(updates()).toHaveLength(1);
  });

  it('stuck past the timeout: rolls back', async () => {
    ecs.script('api', { kind: 'stuck' }, { kind: 'complete', after: 1 });
    const result = await failure(request({ timeoutMs: 60_000 }));
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatch(/did not finish before the timeout \(0 of 2 tasks running, rollout IN_PROGRESS\)/);
    expect(updates()).toEqual([result.taskDefinitionArn, result.previousTaskDefinitionArn]);
  });

  it('fails fast when a task of the new revision cannot pull its image', async () => {
    ecs.script(
      'api',
      { kind: 'start-failure', reason: 'CannotPullContainerError: registry.example.com/api:2.0.0: not found' },
      { kind: 'complete', after: 1 },
    );
    const result = await failure(request());
    expect(result.failure).toMatch(/failed to start: .*TaskFailedToStart.*CannotPullContainerError/);
    expect(ecs.ops('DescribeServices').length).toBeLessThanOrEqual(4);
    expect(result.diagnostics.join('\n')).toMatch(/api: never ran \(CannotPullContainerError/);
    expect(result.status).toBe('rolled-back');
  });

  it('a failing health check counts as a failed deploy and rolls back', async () => {
    const url = await healthEndpoint(503);
    const result = await failure(request({ healthCheckUrl: url, timeoutMs: 120_000 }));
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatch(/Health check failed: .* did not answer 2xx before the timeout \(last: HTTP 503\)/);
    expect(updates()).toEqual([result.taskDefinitionArn, result.previousTaskDefinitionArn]);
  });

  it('outlasts throttling', async () => {
    ecs.faults.inject({ match: { operation: 'DescribeServices' }, times: 3, ...THROTTLING });
    ecs.faults.inject({ match: { operation: 'RegisterTaskDefinition' }, times: 2, ...THROTTLING });
    const result = await deploy(request());
    expect(result.status).toBe('completed');
    expect(ecs.ops('RegisterTaskDefinition')).toHaveLength(3);
  });

  it('rolls one revision out to several services, watched together', async () => {
    ecs.createService('worker', ecs.service('api').taskDefinition, { desiredCount: 1 });
    ecs.script('api', { kind: 'complete', after: 2 });
    ecs.script('worker', { kind: 'complete', after: 3 });
    const result = await deploy(request({ services: ['api', 'worker'] }));
    expect(result.status).toBe('completed');
    expect(ecs.ops('RegisterTaskDefinition')).toHaveLength(1);
    expect(updates()).toEqual([result.taskDefinitionArn, result.taskDefinitionArn]);
    expect(Object.keys(result.deploymentIds)).toEqual(['api', 'worker']);
    const polls = ecs
      .ops('DescribeServices')
      .slice(1)
      .map((c) => c.input.services);
    expect(polls[0]).toEqual(['api', 'worker']);
  });

  it('registers nothing and touches nothing when the definition is unchanged', async () => {
    const result = await deploy(request({ image: 'registry.example.com/api:1.0.0' }));
    expect(result.status).toBe('unchanged');
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
    expect(result.taskDefinitionArn).toBe(result.previousTaskDefinitionArn);
  });

  it('forces a new deployment of an unchanged definition when asked, without a new revision', async () => {
    const result = await deploy(request({ image: 'registry.example.com/api:1.0.0', forceNewDeployment: true }));
    expect(result.status).toBe('completed');
    expect(ecs.ops('RegisterTaskDefinition')).toEqual([]);
    expect(ecs.ops('UpdateService')[0]!.input).toMatchObject({
      forceNewDeployment: true,
      taskDefinition: result.previousTaskDefinitionArn,
    });
  });

  it('dry-run prints the diff, changes nothing, and says a change is planned', async () => {
    const result = await deploy(request({ dryRun: true }));
    expect(result.diff).toHaveLength(1);
    expect(result.status).toBe('planned');
    expect((await deploy(request({ dryRun: true, image: 'registry.example.com/api:1.0.0' }))).status).toBe('unchanged');
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
  });

  it('promotes exactly the image the staging service runs', async () => {
    const staging = ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api@sha256:' + 'a'.repeat(64)));
    ecs.createService('staging-api', staging);
    const result = await deploy(request({ image: undefined, promoteFrom: { cluster: 'staging', service: 'staging-api' } }));
    expect(result.image).toBe('registry.example.com/api@sha256:' + 'a'.repeat(64));
    expect(result.status).toBe('completed');
  });

  it('refuses a service that is not on the rolling (ECS) deployment controller', async () => {
    ecs.createService('bluegreen', ecs.service('api').taskDefinition, { controller: 'CODE_DEPLOY' });
    await expect(deploy(request({ services: ['bluegreen'] }))).rejects.toThrow(/CODE_DEPLOY deployment controller/);
  });
});

describe('the migration', () => {
  it('exits 1: the service is untouched, the exit code, reason and last log lines are reported', async () => {
    ecs.migration = {
      statuses: ['PENDING', 'RUNNING', 'STOPPED'],
      exitCode: 1,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      logs: ['Running migrations…', 'error: relation "users" already exists'],
    };
    const result = await failure(request({ migrate: { command: ['npm', 'run', 'migrate'] } }));
    expect(result.status).toBe('failed');
    expect(result.failure).toBe('Migration failed: the migration exited 1. The service was not changed.');
    expect(ecs.ops('UpdateService')).toEqual([]);
    expect(result.diagnostics.join('\n')).toMatch(/EssentialContainerExited — Essential container in task exited \[api: exit 1\]/);
    expect(result.diagnostics.join('\n')).toContain('error: relation "users" already exists');
  });

  it('that goes from PENDING to STOPPED between two polls is still judged by its exit code', async () => {
    ecs.migration = { statuses: ['STOPPED'], exitCode: 0 };
    const result = await deploy(request({ migrate: { command: ['./migrate'] } }));
    expect(result.status).toBe('completed');
  });

  it('never starts: the reason is reported, not [null]', async () => {
    ecs.migration = {
      exitCode: null,
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'ResourceInitializationError: unable to pull secrets',
      containerReason: 'CannotPullContainerError: access denied',
    };
    const result = await failure(request({ migrate: { command: ['./migrate'] } }));
    expect(result.failure).toMatch(
      /the migration never ran: TaskFailedToStart — ResourceInitializationError: unable to pull secrets \(api: CannotPullContainerError: access denied\)/,
    );
    expect(ecs.ops('UpdateService')).toEqual([]);
  });

  it('cannot be placed: RunTask failures are reported', async () => {
    ecs.migration = { exitCode: null, runFailure: { reason: 'RESOURCE:MEMORY', detail: 'no capacity' } };
    const result = await failure(request({ migrate: { command: ['./migrate'] } }));
    expect(result.failure).toMatch(/could not be started: RESOURCE:MEMORY: no capacity/);
    expect(ecs.ops('UpdateService')).toEqual([]);
  });

  it('that runs past the timeout is stopped, and the service untouched', async () => {
    ecs.migration = { statuses: Array.from({ length: 500 }, () => 'RUNNING'), exitCode: 0 };
    const result = await failure(request({ migrate: { command: ['./migrate'] }, timeoutMs: 60_000 }));
    expect(result.failure).toMatch(/did not finish before the timeout/);
    expect(ecs.ops('StopTask')).toHaveLength(1);
    expect(ecs.ops('UpdateService')).toEqual([]);
  });
});

describe('judge', () => {
  const watched = { service: 'api', deploymentId: 'ecs-svc/new', taskDefinitionArn: 'td:2', previousTaskDefinitionArn: 'td:1' };
  const dep = (id: string, status: string, taskDefinition: string, rolloutState: string, running = 2, desired = 2) => ({
    id,
    status,
    taskDefinition,
    rolloutState,
    runningCount: running,
    desiredCount: desired,
  });
  it.each([
    [
      'ours demoted while the previous revision is primary again',
      [dep('ecs-svc/back', 'PRIMARY', 'td:1', 'IN_PROGRESS'), dep('ecs-svc/new', 'ACTIVE', 'td:2', 'IN_PROGRESS')],
      { kind: 'failed', rolledBackByEcs: true },
    ],
    [
      'ours gone, previous revision primary',
      [dep('ecs-svc/back', 'PRIMARY', 'td:1', 'COMPLETED')],
      { kind: 'failed', rolledBackByEcs: true },
    ],
    ['ours replaced by someone else', [dep('ecs-svc/other', 'PRIMARY', 'td:3', 'IN_PROGRESS')], { kind: 'failed', rolledBackByEcs: false }],
    ['completed but not all tasks running yet', [dep('ecs-svc/new', 'PRIMARY', 'td:2', 'COMPLETED', 1, 2)], undefined],
    ['completed', [dep('ecs-svc/new', 'PRIMARY', 'td:2', 'COMPLETED')], { kind: 'completed' }],
  ])('%s', (_name, deployments, verdict) => {
    const result = judge({ deployments } as Service, watched);
    if (verdict === undefined) expect(result).toBeUndefined();
    else expect(result).toMatchObject(verdict);
  });
});

describe('what ECS does that moto does not', () => {
  it('a task definition file without the fields ECS fills in is unchanged: no new revision, no rollout', async () => {
    const file = {
      family: 'api',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '0.25 vCPU',
      memory: '0.5 GB',
      containerDefinitions: [{ name: 'api', image: 'registry.example.com/api:1.0.0', healthCheck: { command: ['CMD', 'true'] } }],
    };
    ecs.createService('web', ecs.registerTaskDefinition(structuredClone(file)));
    const result = await deploy(
      request({
        services: ['web'],
        taskDefinition: parseTaskDefinition(JSON.stringify(file), 'td.json'),
        image: undefined,
        containerName: undefined,
      }),
    );
    expect(result.diff).toEqual([]);
    expect(result.status).toBe('unchanged');
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService')).toEqual([]);
  });

  it('reads the tags (include TAGS) and carries them to the new revision', async () => {
    const tagged = ecs.registerTaskDefinition({
      ...apiTaskDefinition('registry.example.com/api:1.0.0'),
      tags: [{ key: 'team', value: 'payments' }],
    });
    ecs.createService('billing', tagged);
    const result = await deploy(request({ services: ['billing'] }));
    expect(ecs.ops('DescribeTaskDefinition')[0]!.input).toMatchObject({ include: ['TAGS'] });
    expect(ecs.ops('RegisterTaskDefinition')[0]!.input.tags).toEqual([{ key: 'team', value: 'payments' }]);
    expect(ecs.definitionTags(result.taskDefinitionArn)).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('passes the service volume configuration of a volume configured at launch to the migration task', async () => {
    const td = { ...apiTaskDefinition('registry.example.com/api:1.0.0'), volumes: [{ name: 'data', configuredAtLaunch: true }] };
    const ebs = {
      name: 'data',
      managedEBSVolume: { roleArn: 'arn:aws:iam::123456789012:role/ecsInfrastructure', sizeInGiB: 20, volumeType: 'gp3' },
    };
    ecs.createService('jobs', ecs.registerTaskDefinition(td), { volumeConfigurations: [ebs] });
    const result = await deploy(request({ services: ['jobs'], migrate: { command: ['./migrate'] } }));
    expect(result.status).toBe('completed');
    expect(ecs.ops('RunTask')[0]!.input.volumeConfigurations).toEqual([ebs]);
  });

  it("reads the migration's log lines past an empty page, in the container's awslogs-region", async () => {
    const td = apiTaskDefinition('registry.example.com/api:1.0.0') as {
      containerDefinitions: { logConfiguration: { options: Record<string, string> } }[];
    };
    td.containerDefinitions[0]!.logConfiguration.options['awslogs-region'] = 'eu-west-1';
    ecs.createService('eu', ecs.registerTaskDefinition(td));
    ecs.migration = { exitCode: 2, logs: ['migrating', 'error: lock timeout'] };
    const result = await failure(request({ services: ['eu'], migrate: { command: ['./migrate'] } }));
    expect(result.diagnostics.join('\n')).toContain('error: lock timeout');
    expect(new Set(ecs.ops('GetLogEvents').map((c) => c.region))).toEqual(new Set(['eu-west-1']));
  });
});
