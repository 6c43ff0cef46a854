// The committed ecs-deploy bundle, run as the runner runs it, against the scripted ECS (whose
// blue/green and canary timelines run 1000 times faster than real time here).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';

let ecs: FakeEcs;
beforeEach(async () => {
  ecs = await new FakeEcs({ timeScale: 1000 }).start();
  ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')));
});
let health: Server | undefined;
afterEach(async () => {
  await ecs.close();
  await new Promise((resolve) => (health ? health.close(resolve) : resolve(undefined)));
  health = undefined;
});

async function testEndpoint(status: number): Promise<string> {
  health = createServer((_req, res) => res.writeHead(status).end('x'));
  await new Promise<void>((resolve) => health!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(health.address() as AddressInfo).port}/`;
}

const withService = (name: string, deploymentConfiguration: Record<string, unknown>) =>
  ecs.createService(name, ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')), { deploymentConfiguration });

// The service every test deploys to; the other inputs get their action.yml defaults from the runner.
const SERVICE = { cluster: 'prod', service: 'api', 'container-name': 'api' };
const run = (inputs: Record<string, string>) => runActionBundle('ecs-deploy', { ...SERVICE, ...inputs }, { env: awsEnvFor(ecs.endpoint) });

describe('ecs-deploy, run as the runner runs it', () => {
  it('rolls out and reports the outputs and the summary', async () => {
    ecs.script('api', { kind: 'complete', after: 1 });
    const result = await run({ image: 'registry.example.com/api:2.0.0' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2',
      'previous-task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:1',
      status: 'completed',
      image: 'registry.example.com/api:2.0.0',
    });
    expect(result.outputs['deployment-id']).toMatch(/^ecs-svc\//);
    expect(result.outputs['service-deployment-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:service-deployment\/prod\/api\//);
    expect(result.summary).toContain(
      '~ containerDefinitions[api].image: "registry.example.com/api:1.0.0" → "registry.example.com/api:2.0.0"',
    );
    expect(result.summary).toMatch(/\| .* \| rollout completed \|/);
  }, 60_000);

  it('a failed migration fails the step with the exit code, in the error, the outputs and the summary', async () => {
    ecs.migration = { exitCode: 3, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };
    const result = await run({ image: 'registry.example.com/api:2.0.0', 'migrate-command': 'npm run migrate' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['::error::Migration failed: the migration exited 3. The service was not changed.']);
    expect(result.outputs.status).toBe('failed');
    expect(result.summary).toContain('**Failed:** Migration failed');
    expect(ecs.ops('UpdateService')).toEqual([]);
  }, 60_000);

  it('dry-run prints the diff, changes nothing, and says planned', async () => {
    const result = await run({ image: 'registry.example.com/api:2.0.0', 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('planned');
    expect(result.summary).toContain('Dry run');
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
  });

  it('blue/green with wait-until traffic-shifted: done when production traffic is on the new revision, the bake left to ECS', async () => {
    withService('bg', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 600 });
    const result = await run({ service: 'bg', image: 'registry.example.com/api:2.0.0', 'wait-until': 'traffic-shifted', timeout: '30m' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('traffic-shifted');
    expect(ecs.serviceDeployment(result.outputs['service-deployment-arn']!)).toMatchObject({
      status: 'IN_PROGRESS',
      lifecycleStage: 'BAKE_TIME',
    });
    expect(result.summary).toContain('| strategy (bg) | BLUE_GREEN; bake 600 min |');
  }, 60_000);

  it("a timeout shorter than the bake fails the input check, naming 'timeout', before anything changes", async () => {
    withService('bg', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 20 });
    const result = await run({ service: 'bg', image: 'registry.example.com/api:2.0.0' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/^::error::Input 'timeout' must be longer than the 20 min 0 s of bake time/);
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService')).toEqual([]);
  }, 60_000);

  it('a canary with a paused health check: the test URL answers 2xx, the hook is continued, the deployment completes', async () => {
    withService('canary', {
      strategy: 'CANARY',
      bakeTimeInMinutes: 5,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    });
    const result = await run({
      service: 'canary',
      image: 'registry.example.com/api:2.0.0',
      'test-url': await testEndpoint(200),
      timeout: '30m',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('completed');
    expect(ecs.ops('ContinueServiceDeployment').map((c) => c.input.action)).toEqual(['CONTINUE']);
  }, 90_000);

  it('a paused deployment without test-url: status paused, and the command that continues it', async () => {
    withService('canary', {
      strategy: 'CANARY',
      bakeTimeInMinutes: 5,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    });
    const result = await run({ service: 'canary', image: 'registry.example.com/api:2.0.0', timeout: '30m' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('paused');
    expect(result.summary).toContain(
      `aws ecs continue-service-deployment --service-deployment-arn ${result.outputs['service-deployment-arn']} --hook-id ecs-pause-`,
    );
    expect(result.stdout).toMatch(/::warning::canary: the deployment is paused at POST_TEST_TRAFFIC_SHIFT/);
  }, 60_000);

  it.each([
    [{ 'wait-until': 'soon' }, 'Input \'wait-until\' must be completed or traffic-shifted (got "soon").'],
    [{ 'test-url': 'ftp://test.example.com/' }, 'Input \'test-url\' must be an http:// or https:// URL (got "ftp://test.example.com/").'],
  ])(
    'refuses %o before any request',
    async (inputs, message) => {
      const result = await run({ image: 'registry.example.com/api:2.0.0', ...inputs });
      expect(result.exitCode).toBe(1);
      expect(result.errors).toEqual([`::error::${message}`]);
      expect(ecs.calls).toEqual([]);
    },
    30_000,
  );
});
