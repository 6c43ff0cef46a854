// ecs-deploy following the service deployment ECS records (strategies, bake, hooks, alarms, the
// circuit breaker, rollbacks), against the scripted ECS, which moves BLUE_GREEN, CANARY and LINEAR
// deployments along the same clock the deploy sleeps on.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';
import type { EcsClients } from '../../src/lib/aws/ecs-clients.js';
import { deployToEcs, type EcsDeployRequest, type EcsDeployResult } from '../../src/lib/ecs/deploy.js';
import { ecsDeployOutputs, ecsDeploySummary } from '../../src/actions/ecs-deploy/report.js';
import { InputErrors } from '../../src/inputs/errors.js';
import type { Logger } from '../../src/lib/log/logger.js';
import type { Clock } from '../../src/lib/util/clock.js';
import { PartialFailure } from '../../src/lib/util/partial-failure.js';

const MINUTE = 60_000;
let t = 1_767_225_600_000;
let ecs: FakeEcs;
let logLines: string[];
const servers: Server[] = [];

const clock: Clock = { now: () => t, sleep: (ms) => ((t += ms), Promise.resolve()) };
const log: Logger = {
  info: (m) => logLines.push(m),
  warning: (m) => logLines.push(`warning: ${m}`),
  debug: () => undefined,
  group: (_title, fn) => fn(),
};

beforeEach(async () => {
  logLines = [];
  ecs = await new FakeEcs({ now: () => t }).start();
});
afterEach(async () => {
  await ecs.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function endpoint(status: number): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(status).end('x'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

const clients = (): EcsClients => {
  const config = { endpoint: ecs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 3 };
  return {
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    logsIn: (region) => new CloudWatchLogsClient({ ...config, region }),
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
  waitUntil: 'completed',
  timeoutMs: 15 * MINUTE,
  rollback: true,
  forceNewDeployment: false,
  dryRun: false,
  ...overrides,
});

const deploy = (r: EcsDeployRequest) => deployToEcs(r, { clients: clients(), clock, log });

async function failure(r: EcsDeployRequest): Promise<EcsDeployResult> {
  const error = await deploy(r).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartialFailure);
  return (error as PartialFailure<EcsDeployResult>).result;
}

function service(deploymentConfiguration: Record<string, unknown> = {}, name = 'api', options: { desiredCount?: number } = {}) {
  ecs.createService(name, ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')), {
    deploymentConfiguration,
    ...options,
  });
}

const updates = () => ecs.ops('UpdateService').map((c) => c.input.taskDefinition);
const stage = (name: string) => logLines.some((l) => l.includes(`at ${name}`));

describe('rolling services, followed by their service deployment', () => {
  it('completes; the service deployment ARN is an output; several services are read in one call', async () => {
    service();
    ecs.createService('worker', ecs.service('api').taskDefinition, { desiredCount: 1 });
    ecs.script('api', { kind: 'complete', after: 2 });
    ecs.script('worker', { kind: 'complete', after: 3 });
    const result = await deploy(request({ services: ['api', 'worker'] }));
    expect(result.status).toBe('completed');
    expect(Object.keys(result.serviceDeploymentArns)).toEqual(['api', 'worker']);
    expect(result.serviceDeploymentArns.api).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:service-deployment\/prod\/api\//);
    expect(JSON.parse(ecsDeployOutputs(result)['service-deployment-arn'])).toEqual(result.serviceDeploymentArns);
    expect(ecs.ops('DescribeServiceDeployments')[0]!.input.serviceDeploymentArns).toEqual([
      result.serviceDeploymentArns.api,
      result.serviceDeploymentArns.worker,
    ]);
    // Judged from the record, not by polling DescribeServices.
    expect(ecs.ops('DescribeServices')).toHaveLength(1);
  });

  it('a circuit-breaker rollback to the last successful revision (not the previous one) is ECS rolling back, in its words', async () => {
    service({ deploymentCircuitBreaker: { enable: true, rollback: true } });
    const first = ecs.service('api').currentServiceRevisions[0]!.arn;
    // A deployment that failed without rollback leaves the service on api:2, the last successful revision being api:1's.
    ecs.script('api', { kind: 'fail', after: 1, reason: 'tasks failed health checks' });
    await failure(request({ rollback: false }));
    expect(ecs.service('api').taskDefinition).toMatch(/api:2$/);
    ecs.script('api', { kind: 'circuit-breaker', after: 2 });
    const result = await failure(request({ image: 'registry.example.com/api:3.0.0' }));
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain(`ECS rolled the deployment back (ROLLBACK_SUCCESSFUL) to ${first}`);
    expect(result.failure).toContain('ECS deployment circuit breaker: 3 tasks failed to start (threshold 3)');
    expect(result.ecsSaid).toContain('api: circuit breaker TRIGGERED: 3 of 3 failed tasks');
    // Slipway did not "roll back" to api:2 on top of ECS's rollback.
    expect(updates().slice(1)).toEqual([result.taskDefinitionArn]);
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
  });

  it('STOPPED (failure detected, no ECS rollback) is failed; the finished deployment is rolled back by updating the service', async () => {
    service();
    ecs.script('api', { kind: 'fail', after: 2, reason: 'tasks failed health checks' }, { kind: 'complete', after: 1 });
    const result = await failure(request());
    expect(result.failure).toMatch(
      /^api: the deployment was stopped \(STOPPED\): tasks failed health checks \(circuit breaker TRIGGERED: 3 of 3 failed tasks\)\. Rolled back to the previous revision\. How: api: UpdateService back to .*api:1 \(the deployment had already finished\)\. Deployments: https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/prod\/services\/api\/deployments\?region=us-east-1$/,
    );
    expect(updates()).toEqual([result.taskDefinitionArn, result.previousTaskDefinitionArn]);
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
  });

  it('stuck until the timeout: the last poll is at the deadline, then StopServiceDeployment(ROLLBACK), the fast way', async () => {
    service();
    const started = t;
    ecs.script('api', { kind: 'stuck' });
    const result = await failure(request({ timeoutMs: 2 * MINUTE }));
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toMatch(/did not finish before the timeout \(IN_PROGRESS, 0\/2 new tasks running\)/);
    const polls = ecs.ops('DescribeServiceDeployments').map((c) => c.at - started);
    expect(polls).toContain(2 * MINUTE);
    expect(ecs.ops('StopServiceDeployment').map((c) => c.input)).toEqual([
      { serviceDeploymentArn: result.serviceDeploymentArns.api, stopType: 'ROLLBACK' },
    ]);
    expect(updates()).toEqual([result.taskDefinitionArn]);
    expect(result.rollback).toMatch(/api: StopServiceDeployment \(ROLLBACK\) of arn:/);
    expect(ecs.serviceDeployment(result.serviceDeploymentArns.api!)?.status).toBe('ROLLBACK_SUCCESSFUL');
  });

  it("the diagnostics carry the service's events since this deploy began on the injected clock, none from before", async () => {
    service({ deploymentCircuitBreaker: { enable: true, rollback: true } });
    ecs.script('api', { kind: 'complete', after: 1 });
    await deploy(request());
    const described = await clients().ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    const earlier = (described.services?.[0]?.events ?? []).map((e) => e.message ?? '');
    expect(earlier.length).toBeGreaterThan(0);
    t += 60 * MINUTE;
    ecs.script('api', { kind: 'circuit-breaker', after: 2 });
    const result = await failure(request({ image: 'registry.example.com/api:3.0.0' }));
    const events = result.diagnostics.filter((l) => l.startsWith('api event: '));
    expect(events.join('\n')).toMatch(/api event: .*rolled back/);
    for (const message of earlier) expect(events.join('\n')).not.toContain(message);
  });

  it('a task that cannot pull its image fails fast and is stopped the fast way', async () => {
    service();
    ecs.script('api', { kind: 'start-failure', reason: 'CannotPullContainerError: not found' });
    const result = await failure(request());
    expect(result.failure).toMatch(/failed to start: .*CannotPullContainerError/);
    expect(ecs.ops('DescribeServiceDeployments').length).toBeLessThanOrEqual(4);
    expect(ecs.ops('StopServiceDeployment')).toHaveLength(1);
  });

  it('a health check failing after SUCCESSFUL rolls back by updating the service (the deployment already finished)', async () => {
    service();
    const url = await endpoint(503);
    const result = await failure(request({ healthCheckUrl: url, timeoutMs: 2 * MINUTE }));
    expect(result.status).toBe('rolled-back');
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
    expect(updates()).toEqual([result.taskDefinitionArn, result.previousTaskDefinitionArn]);
    expect(result.rollback).toMatch(/UpdateService back to .*api:1 \(the deployment had already finished\)/);
  });

  it('early success criteria: done when ECS says SUCCESSFUL, not when every task runs', async () => {
    service({ earlySuccessCriteria: { enable: true, healthyPercent: 75, sourceServiceRevisionCleanup: 'DEFERRED' } }, 'api', {
      desiredCount: 4,
    });
    ecs.script('api', { kind: 'early-success', after: 2, running: 3 });
    const started = t;
    const result = await deploy(request({ timeoutMs: 10 * MINUTE }));
    expect(result.status).toBe('completed');
    expect(t - started).toBeLessThan(MINUTE);
    expect(logLines.join('\n')).toContain('early success at 75% healthy');
  });
});

describe('blue/green, canary and linear services', () => {
  const blueGreen = (extra: Record<string, unknown> = {}) => service({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 20, ...extra });

  it('a bake longer than the timeout fails the input check before anything changes', async () => {
    blueGreen();
    const error = await deploy(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputErrors);
    expect((error as Error).message).toMatch(
      /Input 'timeout' must be longer than the 20 min 0 s of bake time and steps service api is configured for \(BLUE_GREEN; bake 20 min\).*wait-until: traffic-shifted/,
    );
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
  });

  it('a dry run says planned, and warns what the real run would refuse', async () => {
    blueGreen();
    const result = await deploy(request({ dryRun: true }));
    expect(result.status).toBe('planned');
    expect(logLines.filter((l) => l.startsWith("warning: The real run would stop here: Input 'timeout' must be longer"))).toHaveLength(1);
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'ListServiceDeployments')).toEqual([]);
  });

  it('blue/green with a 20-minute bake and a 30-minute timeout completes: no timeout, no rollback of a healthy deployment', async () => {
    blueGreen({ alarms: { enable: true, rollback: true, alarmNames: ['api-5xx'] } });
    const started = t;
    const result = await deploy(request({ timeoutMs: 30 * MINUTE }));
    expect(result.status).toBe('completed');
    expect(t - started).toBeGreaterThanOrEqual(20 * MINUTE);
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
    expect(updates()).toHaveLength(1);
    for (const s of ['SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'BAKE_TIME']) expect(stage(s), s).toBe(true);
    expect(logLines.join('\n')).toMatch(/BAKE_TIME, production traffic 100% new, .*bake \d+ min \d+ s left, alarms monitored: api-5xx/);
  });

  it('wait-until traffic-shifted: done when production traffic is on the new revision, without sitting through the bake', async () => {
    blueGreen();
    const started = t;
    const result = await deploy(request({ waitUntil: 'traffic-shifted' }));
    expect(result.status).toBe('traffic-shifted');
    expect(t - started).toBeLessThan(10 * MINUTE);
    expect(ecs.serviceDeployment(result.serviceDeploymentArns.api!)).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' });
    expect(ecsDeploySummary(request(), result)).toContain('Production traffic is on the new revision');
  });

  it('wait-until traffic-shifted with a health check failing during the bake: stopped the fast way', async () => {
    blueGreen();
    const result = await failure(request({ waitUntil: 'traffic-shifted', healthCheckUrl: await endpoint(500) }));
    expect(result.status).toBe('rolled-back');
    expect(ecs.ops('StopServiceDeployment').map((c) => c.input.serviceDeploymentArn)).toEqual([result.serviceDeploymentArns.api]);
    expect(updates()).toHaveLength(1);
    expect(result.rollback).toBe(
      `api: StopServiceDeployment (ROLLBACK) of ${result.serviceDeploymentArns.api}, traffic shifted back to the previous revision`,
    );
  });

  it('an alarm during the bake: ECS rolls back, and the failure names the alarm', async () => {
    blueGreen({ alarms: { enable: true, rollback: true, alarmNames: ['api-5xx', 'api-latency'] } });
    ecs.script('api', { kind: 'alarm', stage: 'BAKE_TIME', alarm: 'api-5xx' });
    const result = await failure(request({ timeoutMs: 30 * MINUTE }));
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('CloudWatch alarm(s) api-5xx in ALARM state (triggered alarms: api-5xx)');
    expect(result.ecsSaid).toContain('api: triggered alarms: api-5xx');
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
    expect(updates()).toHaveLength(1);
    const summary = ecsDeploySummary(request(), result);
    expect(summary).toContain("**ECS's service deployment record**");
    expect(summary).toContain('https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/api/deployments?region=us-east-1');
  });

  it('canary: the canary step, its bake, then 100%; the timeout check counts the canary bake', async () => {
    service({ strategy: 'CANARY', bakeTimeInMinutes: 10, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 15 } });
    await expect(deploy(request({ waitUntil: 'traffic-shifted', timeoutMs: 15 * MINUTE }))).rejects.toThrow(
      /longer than the 15 min 0 s .*CANARY; 10% for 15 min, then 100%; bake 10 min/,
    );
    const result = await deploy(request({ timeoutMs: 40 * MINUTE }));
    expect(result.status).toBe('completed');
    expect(logLines.join('\n')).toMatch(/PRODUCTION_TRAFFIC_SHIFT, production traffic 10% new/);
    expect(logLines.join('\n')).toMatch(/production traffic 100% new/);
  });

  it('linear: every step is logged with its weight', async () => {
    service({ strategy: 'LINEAR', bakeTimeInMinutes: 5, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } });
    const result = await deploy(request({ timeoutMs: 20 * MINUTE }));
    expect(result.status).toBe('completed');
    for (const w of ['25%', '50%', '75%', '100%']) expect(logLines.join('\n')).toContain(`production traffic ${w} new`);
    expect(result.strategies.api).toBe('LINEAR; 4 steps of 25%, 2 min each; bake 5 min');
  });
});

describe('PAUSE hooks', () => {
  const paused = () =>
    service({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 5,
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' },
        },
      ],
    });

  it('test-url healthy: ContinueServiceDeployment CONTINUE, and the deployment completes', async () => {
    paused();
    const result = await deploy(request({ testUrl: await endpoint(200), timeoutMs: 30 * MINUTE }));
    expect(result.status).toBe('completed');
    const calls = ecs.ops('ContinueServiceDeployment').map((c) => c.input);
    expect(calls).toEqual([
      {
        serviceDeploymentArn: result.serviceDeploymentArns.api,
        hookId: expect.stringMatching(/^ecs-pause-/) as unknown,
        action: 'CONTINUE',
      },
    ]);
  });

  it('test-url unhealthy: ContinueServiceDeployment ROLLBACK; rolled back at the hook, and says so', async () => {
    paused();
    const result = await failure(request({ testUrl: await endpoint(503), timeoutMs: 30 * MINUTE }));
    expect(result.status).toBe('rolled-back');
    expect(ecs.ops('ContinueServiceDeployment').map((c) => c.input.action)).toEqual(['ROLLBACK']);
    expect(result.failure).toMatch(/^api: Test URL health check failed: .*HTTP 503.*rolled back at the PAUSE hook/);
    expect(result.rollback).toBe('api: rolled back at the PAUSE hook (ContinueServiceDeployment ROLLBACK)');
    expect(updates()).toHaveLength(1);
    expect(ecs.ops('StopServiceDeployment')).toEqual([]);
  });

  it('no test-url: reported as paused with the ARN and the command that continues it, not waited out', async () => {
    paused();
    const started = t;
    const result = await deploy(request({ timeoutMs: 30 * MINUTE }));
    expect(result.status).toBe('paused');
    expect(t - started).toBeLessThan(5 * MINUTE);
    expect(result.paused).toEqual([
      {
        service: 'api',
        serviceDeploymentArn: result.serviceDeploymentArns.api,
        hookId: expect.stringMatching(/^ecs-pause-/) as unknown,
        stage: 'POST_TEST_TRAFFIC_SHIFT',
        command: expect.stringMatching(
          /^aws ecs continue-service-deployment --service-deployment-arn arn:\S+ --hook-id ecs-pause-\S+ --action CONTINUE$/,
        ) as unknown,
      },
    ]);
    expect(ecs.ops('ContinueServiceDeployment', 'StopServiceDeployment')).toEqual([]);
    expect(ecsDeploySummary(request(), result)).toContain(result.paused[0]!.command);
  });
});

describe('another deployment in flight', () => {
  it('is waited for, then ours starts', async () => {
    service();
    const other = ecs.startForeignDeployment('api', ecs.service('api').taskDefinition, { finishAfterReads: 3 });
    const result = await deploy(request());
    expect(result.status).toBe('completed');
    expect(logLines.join('\n')).toContain(`waiting for the deployment in flight, ${other}`);
    expect(ecs.ops('ListServiceDeployments')[0]!.input).toMatchObject({
      cluster: 'prod',
      service: 'api',
      status: ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'],
    });
  });

  it('that outlasts the timeout fails naming it; nothing is changed', async () => {
    service();
    const other = ecs.startForeignDeployment('api', ecs.service('api').taskDefinition, { status: 'ROLLBACK_IN_PROGRESS' });
    await expect(deploy(request({ timeoutMs: 2 * MINUTE }))).rejects.toThrow(
      `Service api has another deployment in flight, ${other} (ROLLBACK_IN_PROGRESS`,
    );
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
  });

  it('paused at a hook fails at once with the command that continues it', async () => {
    service();
    ecs.startForeignDeployment('api', ecs.service('api').taskDefinition, { paused: true });
    const started = t;
    await expect(deploy(request())).rejects.toThrow(
      /is paused at a PAUSE hook awaiting action \(continue it with: aws ecs continue-service-deployment --service-deployment-arn arn:\S+ --hook-id ecs-pause-\d+ --action CONTINUE/,
    );
    expect(t).toBe(started);
    expect(ecs.ops('UpdateService')).toEqual([]);
  });
});

describe('promote by digest', () => {
  it('deploys the digest staging runs, not its mutable tag; the summary shows both', async () => {
    service();
    const digest = `sha256:${'b'.repeat(64)}`;
    ecs.digests.set('registry.example.com/api:1.4.2', digest);
    ecs.createService('staging-api', ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.4.2')), {
      cluster: 'staging',
    });
    const result = await deploy(request({ image: undefined, promoteFrom: { cluster: 'staging', service: 'staging-api' } }));
    expect(result.image).toBe(`registry.example.com/api@${digest}`);
    expect(result.promoted).toEqual([
      { container: 'api', image: 'registry.example.com/api:1.4.2', digest, deployed: `registry.example.com/api@${digest}` },
    ]);
    expect(ecsDeploySummary(request(), result)).toContain(`| promoted (api) | \`registry.example.com/api:1.4.2\` = \`${digest}\` |`);
    expect(ecs.ops('DescribeServiceRevisions')[0]!.input.serviceRevisionArns).toEqual([
      ecs.service('staging-api').currentServiceRevisions[0]!.arn,
    ]);
  });

  it.each([['registry.example.com:5000/team/api:1.4.2'], ['registry.example.com:5000/team/api@sha256:' + 'c'.repeat(64)]])(
    'keeps a registry port: %s',
    async (image) => {
      service();
      ecs.digests.set(image, `sha256:${'d'.repeat(64)}`);
      ecs.createService('staging-api', ecs.registerTaskDefinition(apiTaskDefinition(image)), { cluster: 'staging' });
      const result = await deploy(request({ image: undefined, promoteFrom: { cluster: 'staging', service: 'staging-api' } }));
      expect(result.image).toBe(`registry.example.com:5000/team/api@sha256:${'d'.repeat(64)}`);
    },
  );
});

describe('where the service deployment API is denied', () => {
  it("falls back to today's logic, says so once, and still tells a rollback from a rollout", async () => {
    service();
    ecs.serviceDeploymentsApi = 'denied';
    ecs.script('api', { kind: 'complete', after: 2 });
    expect((await deploy(request())).status).toBe('completed');
    expect(logLines.filter((l) => l.includes('ECS service deployments cannot be read here'))).toHaveLength(1);
    expect(logLines.join('\n')).toContain('AccessDeniedException');
    expect(ecs.ops('DescribeServiceDeployments')).toEqual([]);
    ecs.script('api', { kind: 'circuit-breaker', after: 1 });
    const result = await failure(request({ image: 'registry.example.com/api:3.0.0' }));
    expect(result.status).toBe('rolled-back');
    expect(updates()).toHaveLength(2);
  });
});

describe('errors that name the input', () => {
  it("a missing cluster names the cluster and the service, and input 'cluster'", async () => {
    service();
    await expect(deploy(request({ cluster: 'prdo' }))).rejects.toThrow(
      "Cluster 'prdo' was not found (looking for service 'api'): check input 'cluster'",
    );
  });

  it("a wrong container-name blames input 'container-name', not 'images'", async () => {
    service();
    await expect(deploy(request({ containerName: 'web' }))).rejects.toThrow(
      "Input 'container-name' names container 'web', which the task definition does not have (it has: api).",
    );
  });
});
