// Nothing secret in the logs: every action, with debug logging on (RUNNER_DEBUG=1), succeeding
// and failing, with distinctive credentials and a distinctive GitHub token. Neither they, nor their
// base64 forms, nor a file's body may appear in stdout, stderr, the summary or the outputs; the
// token may appear only in the ::add-mask:: command that hands it to the runner's masking.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle, type ActionRun } from '../../stand-ins/action-runner.mjs';
import { apiTaskDefinition, FakeEcs } from '../../stand-ins/fake-ecs.mjs';
import { githubEnvFor, startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { newDistribution } from '../support/cloudfront.js';
import { motoEndpoint, newBucket, writeSite } from '../support/s3.js';

const TOKEN = 'ghs_SLIPWAYcanaryTOKEN0123456789abcdef';
const SECRET_KEY = 'slipwayCanarySecretAccessKey/0123456789+abc';
const SESSION = 'slipwayCanarySessionToken//FwoGZXIvYXdzEJr';
const BODY = 'BODY-CANARY-this-text-is-only-in-a-file';
const SECRETS = [
  TOKEN,
  SECRET_KEY,
  SESSION,
  Buffer.from(TOKEN).toString('base64'),
  Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
  BODY,
];

let github: FakeGitHub;
let ecs: FakeEcs;
beforeAll(async () => {
  github = await startFakeGitHub({ identities: { [TOKEN]: { login: 'github-actions[bot]', type: 'Bot', installation: true } } });
  ecs = await new FakeEcs().start();
  ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition('registry.example.com/api:1.0.0')));
});
afterAll(async () => {
  await github.close();
  await ecs.close();
});

const credentials = (endpoint: string) => ({
  ...awsEnvFor(endpoint),
  AWS_ACCESS_KEY_ID: 'AKIASLIPWAYCANARY001',
  AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  AWS_SESSION_TOKEN: SESSION,
  RUNNER_DEBUG: '1',
});

function expectClean(run: ActionRun) {
  const text = [
    run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
  ].join('\n');
  for (const secret of SECRETS) expect(text.includes(secret), `output contains ${secret.slice(0, 12)}…`).toBe(false);
  // Debug logging was really on: the check is not vacuous.
  expect(run.stdout).toContain('::debug::');
}

describe('no secret in any output, with debug logging on', () => {
  it('deploy-static and invalidate, succeeding and failing', async () => {
    const bucket = await newBucket();
    const site = writeSite({ 'index.html': BODY, 'assets/a.js': BODY });
    const inputs = { source: site, bucket, prefix: '', delete: 'true', concurrency: '4', 'dry-run': 'false', 'stale-asset-grace': '7d' };
    const ok = await runActionBundle('deploy-static', inputs, { env: credentials(motoEndpoint()) });
    expect(ok.exitCode).toBe(0);
    expectClean(ok);
    const failed = await runActionBundle(
      'deploy-static',
      { ...inputs, bucket: 'no-such-bucket-canary' },
      { env: credentials(motoEndpoint()) },
    );
    expect(failed.exitCode).toBe(1);
    expectClean(failed);
    const dist = await newDistribution();
    const invalidated = await runActionBundle(
      'invalidate',
      { 'distribution-id': dist, paths: '/index.html', 'max-paths': '20', wait: 'true', timeout: '1m' },
      { env: credentials(motoEndpoint()) },
    );
    expect(invalidated.exitCode).toBe(0);
    expectClean(invalidated);
  });

  it('ecs-deploy, succeeding and failing', async () => {
    ecs.script('api', { kind: 'complete', after: 1 });
    const inputs = {
      cluster: 'prod',
      service: 'api',
      'container-name': 'api',
      image: 'registry.example.com/api:2.0.0',
      wait: 'true',
      timeout: '5m',
      rollback: 'true',
      'force-new-deployment': 'false',
      'dry-run': 'false',
    };
    const ok = await runActionBundle('ecs-deploy', inputs, { env: credentials(ecs.endpoint) });
    expect(ok.exitCode).toBe(0);
    expectClean(ok);
    ecs.migration = { exitCode: 2 };
    const failed = await runActionBundle(
      'ecs-deploy',
      { ...inputs, image: 'registry.example.com/api:3.0.0', 'migrate-command': 'npm run migrate' },
      { env: credentials(ecs.endpoint) },
    );
    expect(failed.exitCode).toBe(1);
    expectClean(failed);
  }, 60_000);

  it('pr-preview: the token is masked, succeeding and failing', async () => {
    const bucket = await newBucket();
    const dist = await newDistribution();
    github.addPull('acme/web', { number: 3, headSha: 'f'.repeat(40) });
    const site = writeSite({ 'index.html': BODY });
    const eventPath = join(site, '..', 'event.json');
    writeFileSync(eventPath, JSON.stringify({ action: 'opened', number: 3, pull_request: { number: 3, head: { sha: 'f'.repeat(40) } } }));
    const env = { ...credentials(motoEndpoint()), ...githubEnvFor(github, { repository: 'acme/web', eventPath, token: TOKEN }) };
    const inputs = {
      source: site,
      domain: 'preview.example.com',
      bucket,
      'distribution-id': dist,
      'github-token': TOKEN,
      command: 'auto',
      strategy: 'shared',
      comment: 'true',
      deployment: 'true',
      'expire-after': '30d',
      'dry-run': 'false',
      concurrency: '4',
    };
    const ok = await runActionBundle('pr-preview', inputs, { env });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain(`::add-mask::${TOKEN}`);
    expectClean(ok);
    github.faults.inject({ status: 401, times: 1000 });
    const failed = await runActionBundle('pr-preview', inputs, { env });
    github.faults.clear();
    expect(failed.exitCode).toBe(1);
    expectClean(failed);
  });
});
