// The committed ecs-deploy bundle, run as the runner runs it, against the scripted ECS.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('bad input: exit 1, one error naming the input, no request sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-td-'));
  writeFileSync(join(dir, 'broken.json'), '{ "family": ');
  const cases: [string, Record<string, string>, RegExp][] = [
    ['missing cluster', { cluster: '', image: 'a:1' }, /Input 'cluster' is required/],
    ['missing service', { service: '', image: 'a:1' }, /Input 'service' is required/],
    ['unreadable task definition', { 'task-definition': join(dir, 'nope.json') }, /Input 'task-definition' must be a readable task definition file .*ENOENT/],
    ['invalid task definition', { 'task-definition': join(dir, 'broken.json') }, /Input 'task-definition' must be a task definition file .*not valid JSON/],
    ['empty image', { image: '' }, /Input 'image' is empty: give the image for container 'api'/],
    ['image with a space', { image: 'api 2' }, /Input 'image' must be an image reference/],
    ['images line without =', { 'container-name': '', images: 'api' }, /Input 'images' must hold container=image lines/],
    ['environment key with a dash', { image: 'a:1', environment: 'MY-KEY=1' }, /Input 'environment' must hold KEY=VALUE lines/],
    ['promote-from without a slash', { 'promote-from': 'staging' }, /Input 'promote-from' must be cluster\/service/],
    ['unbalanced quotes in the migration', { image: 'a:1', 'migrate-command': 'sh -c "npm run migrate' }, /Input 'migrate-command' must be a command line with balanced quotes; this one has an unbalanced double quote/],
    ['wait: yes', { image: 'a:1', wait: 'yes' }, /Input 'wait' must be true or false/],
    ['rollback: flase', { image: 'a:1', rollback: 'flase' }, /Input 'rollback' must be true or false/],
    ['bad timeout', { image: 'a:1', timeout: '10 minutes' }, /Input 'timeout' must be a duration/],
    ['negative desired-count', { image: 'a:1', 'desired-count': '-1' }, /Input 'desired-count' must be a whole number/],
    ['health-check-url without a scheme', { image: 'a:1', 'health-check-url': 'api.example.com/health' }, /Input 'health-check-url' must be an http/],
    ['image and images together', { image: 'a:1', images: 'api=a:2' }, /Input 'image' and 'images' cannot both be given/],
  ];
  it.each(cases)('%s', async (_name, inputs, message) => {
    const result = await run(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    expect(ecs.calls).toEqual([]);
  });
});
