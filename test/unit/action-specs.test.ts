// action.yml is the one place names live: the generated module, the READMEs and the settings
// parsers must agree with it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionSpecs, renderSpecModule, replaceUsage } from '../../scripts/lib/action-specs.mjs';
import { actions } from '../../src/actions/index.js';
import { parseDeployStaticSettings } from '../../src/actions/deploy-static/settings.js';
import { writeSite } from '../support/s3.js';
import { testEnvironment } from '../support/environment.js';

const root = new URL('../../', import.meta.url).pathname;
const specs = readActionSpecs(root);

describe.each(specs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
  it('runs on node24 from its committed bundle', () => {
    const doc = parse(readFileSync(`${root}actions/${name}/action.yml`, 'utf8')) as { runs: { using: string; main: string } };
    expect(doc.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
  it('has its README usage generated from action.yml', () => {
    const readme = readFileSync(`${root}actions/${name}/README.md`, 'utf8');
    expect(replaceUsage(readme, spec)).toBe(readme);
  });
});

it('src/generated/action-specs.ts is what the build generates from action.yml', () => {
  expect(readFileSync(`${root}src/generated/action-specs.ts`, 'utf8')).toBe(renderSpecModule(specs));
});

it('deploy-static reads every input action.yml declares, with its defaults', () => {
  const asked = new Set<string>();
  const site = writeSite({ 'index.html': 'x' });
  const settings = parseDeployStaticSettings((name) => {
    asked.add(name);
    return { source: site, bucket: 'ok-bucket' }[name];
  }, testEnvironment());
  const declared = Object.keys(specs.find((s) => s.name === 'deploy-static')!.inputs);
  expect([...asked].sort()).toEqual([...declared].sort());
  expect(settings).toMatchObject({
    prefix: '',
    delete: 'ours',
    framework: 'auto',
    headers: [],
    staleGraceMs: 7 * 86_400_000,
    concurrency: 16,
    dryRun: false,
    aws: { region: undefined, endpoint: undefined, forcePathStyle: undefined },
  });
});

/**
 * Inputs that make each action's settings parse, and the further sets that reach the inputs read only in
 * some cases (a strategy's own inputs, the migration's container).
 */
const site = writeSite({ 'index.html': 'x' });
const INPUT_SETS: Record<string, Record<string, string>[]> = {
  'deploy-static': [{ source: site, bucket: 'ok-bucket' }],
  invalidate: [{ 'distribution-id': 'E2QWRUHAPOMQZL' }],
  'ecs-deploy': [{ cluster: 'prod', service: 'api', 'container-name': 'api', image: 'api:1.0.0', 'migrate-command': 'npm run migrate' }],
  'pr-preview': [
    {
      source: site,
      domain: 'preview.example.com',
      bucket: 'previews',
      'distribution-id': 'E2QWRUHAPOMQZL',
      'github-token': 't',
      'pr-number': '7',
    },
    {
      source: site,
      domain: 'preview.example.com',
      strategy: 'dedicated',
      bucket: 'pr-{number}-web',
      'certificate-arn': 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      'hosted-zone-id': 'Z0123456789ABC',
      'github-token': 't',
      'pr-number': '7',
    },
  ],
  router: [{ name: 'web-router' }],
  release: [{ bucket: 'example-web', router: 'web-router' }],
};

describe.each(actions.map((a) => [a.name, a] as const))('%s', (name, action) => {
  it('reads every input action.yml declares', () => {
    const asked = new Set<string>();
    const env = testEnvironment({ vars: { AWS_REGION: 'us-east-1', GITHUB_REPOSITORY: 'acme/web' } });
    for (const given of INPUT_SETS[name] ?? []) {
      // Each set parses: what is read is what a real run reads.
      action.prepare((input) => {
        asked.add(input);
        return given[input];
      }, env);
    }
    const declared = Object.keys(specs.find((s) => s.name === name)!.inputs);
    expect([...asked].sort()).toEqual([...declared].sort());
  });
});
