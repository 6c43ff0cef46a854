// The committed ecs-deploy bundle, run as the runner runs it, against the scripted ECS.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../scripts/lib/action-runner.mjs';
import { awsEnvFor } from '../../scripts/lib/moto.mjs';
import { apiTaskDefinition, FakeEcs } from '../../scripts/lib/fake-ecs.mjs';

let ecs: FakeEcs;
beforeEach(async () => {
  ecs = await new FakeEcs().start();
  ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')));
});
afterEach(() => ecs.close());

const DEFAULTS = {
  cluster: 'prod', service: 'api', 'task-definition': '', 'container-name': 'api', image: '', images: '', environment: '', 'promote-from': '', 'migrate-command': '', 'migrate-container': '',
  wait: 'true', timeout: '15m', rollback: 'true', 'health-check-url': '', 'force-new-deployment': 'false', 'desired-count': '', 'dry-run': 'false',
};
const run = (inputs: Record<string, string>) => runActionBundle('ecs-deploy', { ...DEFAULTS, ...inputs }, { env: awsEnvFor(ecs.endpoint) });

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
    expect(result.summary).toContain('~ containerDefinitions[api].image: "registry.example.com/api:1.0.0" → "registry.example.com/api:2.0.0"');
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

  it('dry-run prints the diff and changes nothing', async () => {
    const result = await run({ image: 'registry.example.com/api:2.0.0', 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain('Dry run');
    expect(ecs.ops('RegisterTaskDefinition', 'UpdateService', 'RunTask')).toEqual([]);
  });
});
