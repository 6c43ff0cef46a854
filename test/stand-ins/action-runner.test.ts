// The bundle runner passes inputs as the Actions runner does: every input action.yml declares, the
// given value else its default else '' (actions/runner: ActionManifestManager.ConvertInputs,
// ActionRunner.RunAsync), `${{ github.token }}` evaluated to the job's token.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JOB_TOKEN, runActionBundle, runnerInputs } from '../../stand-ins/action-runner.mjs';

const declared = (action: string) =>
  (
    parse(readFileSync(new URL(`../../actions/${action}/action.yml`, import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    }
  ).inputs;

describe('runnerInputs', () => {
  it('gives every declared input: the given value, else its default, else empty', () => {
    const inputs = runnerInputs('invalidate', { 'distribution-id': 'E123', 'max-paths': '5' });
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(declared('invalidate')).sort());
    expect(inputs).toMatchObject({
      'distribution-id': 'E123',
      'max-paths': '5',
      paths: '/*',
      wait: 'true',
      timeout: '15m',
      'caller-reference': '',
    });
  });

  it('evaluates a ${{ github.token }} default to the job token, or the one given; a given input wins', () => {
    expect(declared('pr-preview')['github-token']?.default).toMatch(/\$\{\{\s*github\.token\s*\}\}/);
    expect(runnerInputs('pr-preview', { domain: 'x' })['github-token']).toBe(JOB_TOKEN);
    expect(runnerInputs('pr-preview', { domain: 'x' }, { githubToken: 'ghs_other' })['github-token']).toBe('ghs_other');
    expect(runnerInputs('pr-preview', { domain: 'x', 'github-token': 'ghp_user' })['github-token']).toBe('ghp_user');
  });

  it('passes undeclared inputs through, as the runner does (it only warns)', () => {
    expect(runnerInputs('invalidate', { 'no-such-input': 'y' })['no-such-input']).toBe('y');
  });
});

it('the bundle sees the defaults: invalidate given only its distribution reads paths /*, max-paths 20, wait, 15m', async () => {
  // Nothing answers at that endpoint: the settings are logged first, then the step retries until it is stopped.
  const env = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    AWS_REGION: 'us-east-1',
    RUNNER_DEBUG: '1',
  };
  const run = await runActionBundle('invalidate', { 'distribution-id': 'E2QWRUHAPOMQZL' }, { env, timeoutMs: 5_000 });
  const settings = /^::debug::settings: (.*)$/m.exec(run.stdout)?.[1];
  expect(JSON.parse(settings ?? '{}')).toMatchObject({ requestedPaths: ['/*'], maxPaths: 20, wait: true, timeoutMs: 900_000 });
});
