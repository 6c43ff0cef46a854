// Bad input, for every action, run as the runner runs them: each case exits 1 with exactly one
// ::error:: that names the input and the form it expects, and sends nothing to AWS or GitHub —
// counted at a proxy in front of every AWS endpoint and at the GitHub stand-in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionBundle } from '../../stand-ins/action-runner.mjs';
import { startAwsProxy, type AwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { githubEnvFor, startFakeGitHub, type FakeGitHub } from '../../stand-ins/fake-github.mjs';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { actionSpecs, type ActionName } from '../../src/generated/action-specs.js';
import { motoEndpoint, writeSite } from '../support/s3.js';

let proxy: AwsProxy;
let github: FakeGitHub;
beforeAll(async () => {
  proxy = await startAwsProxy(motoEndpoint());
  github = await startFakeGitHub();
});
afterAll(async () => {
  await proxy.close();
  await github.close();
});

const site = writeSite({ 'index.html': 'x' });
const file = join(site, 'index.html');
const dir = mkdtempSync(join(tmpdir(), 'slipway-td-'));
writeFileSync(join(dir, 'broken.json'), '{ "family": ');
const event = join(dir, 'pull_request.json');
writeFileSync(event, JSON.stringify({ action: 'opened', number: 5, pull_request: { number: 5, head: { sha: 'a'.repeat(40) } } }));
const workflowRun = join(dir, 'workflow_run.json');
writeFileSync(workflowRun, JSON.stringify({ action: 'completed' }));

const shared = { source: site, domain: 'preview.example.com', bucket: 'previews-bucket', 'distribution-id': 'E2QWRUHAPOMQZL' };
const dedicated = {
  source: site,
  domain: 'preview.example.com',
  strategy: 'dedicated',
  bucket: 'pr-{number}-web',
  'certificate-arn': 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  'hosted-zone-id': 'Z0123456789ABC',
};
const ecs = { cluster: 'prod', service: 'api', 'container-name': 'api' };
const inv = { 'distribution-id': 'E2QWRUHAPOMQZL' };
const ds = { source: site, bucket: 'ok-bucket' };

type Case = [ActionName, string, Record<string, string>, RegExp];
const CASES: Case[] = [
  ['deploy-static', 'missing source', { ...ds, source: '' }, /Input 'source' is required/],
  ['deploy-static', 'missing bucket', { ...ds, bucket: '' }, /Input 'bucket' is required/],
  ['deploy-static', 'source that does not exist', { ...ds, source: join(site, 'nope') }, /Input 'source' must be an existing directory/],
  ['deploy-static', 'source that is a file', { ...ds, source: file }, /Input 'source' must be a directory/],
  ['deploy-static', 'empty source', { ...ds, source: writeSite({ '.env': 'x' }) }, /Input 'source' must hold at least one file/],
  ['deploy-static', 's3:// source without a bucket', { ...ds, source: 's3://' }, /Input 'source' .*bucket is missing/],
  [
    'deploy-static',
    'source overlapping the target',
    { ...ds, source: 's3://ok-bucket/site', prefix: 'site/v2' },
    /Input 'source' must not overlap the target/,
  ],
  ['deploy-static', 'invalid bucket name', { ...ds, bucket: 'My_Bucket' }, /Input 'bucket' must be an S3 bucket name/],
  ['deploy-static', 'prefix with ..', { ...ds, prefix: 'a/../b' }, /Input 'prefix' must be a key prefix/],
  ['deploy-static', 'prefix with a leading /', { ...ds, prefix: '/site' }, /Input 'prefix' must be a key prefix/],
  [
    'deploy-static',
    'delete: yes',
    { ...ds, delete: 'yes' },
    /Input 'delete' must be true \(objects earlier deploys wrote\), all \(also objects Slipway did not write\) or false \(got "yes"\)/,
  ],
  ['deploy-static', 'dry-run: flase', { ...ds, 'dry-run': 'flase' }, /Input 'dry-run' must be true or false/],
  ['deploy-static', 'concurrency 0', { ...ds, concurrency: '0' }, /Input 'concurrency' must be a whole number from 1 to 256/],
  ['deploy-static', 'concurrency -3', { ...ds, concurrency: '-3' }, /Input 'concurrency' must be a whole number/],
  ['deploy-static', 'bad grace duration', { ...ds, 'stale-asset-grace': '7 days' }, /Input 'stale-asset-grace' must be a duration/],
  [
    'deploy-static',
    'cache rule without =',
    { ...ds, 'cache-control': '*.png' },
    /Input 'cache-control' must hold one GLOB=VALUE rule per line/,
  ],
  ['deploy-static', 'malformed glob', { ...ds, exclude: 'assets/[abc' }, /Input 'exclude' must hold valid globs/],
  ['deploy-static', 'bad content type', { ...ds, 'content-type': '*.x=not a type' }, /Input 'content-type' must hold GLOB=TYPE lines/],
  ['deploy-static', 'bad endpoint', { ...ds, endpoint: 'localhost:9000' }, /Input 'endpoint' must be an http/],
  ['deploy-static', 'bad force-path-style', { ...ds, 'force-path-style': 'on' }, /Input 'force-path-style' must be true or false/],

  ['invalidate', 'missing distribution-id', { 'distribution-id': '' }, /Input 'distribution-id' is required/],
  [
    'invalidate',
    'malformed distribution-id',
    { 'distribution-id': 'd111111-abcdef8' },
    /Input 'distribution-id' must be CloudFront distribution ids/,
  ],
  ['invalidate', 'paths that are not JSON', { ...inv, paths: '["/a",' }, /Input 'paths' .*does not parse/],
  ['invalidate', 'a * inside a path', { ...inv, paths: '/a*/b' }, /Input 'paths' .*a \* may only end a path/],
  ['invalidate', 'max-paths 0', { ...inv, 'max-paths': '0' }, /Input 'max-paths' must be a whole number/],
  ['invalidate', 'wait: yes', { ...inv, wait: 'yes' }, /Input 'wait' must be true or false/],
  ['invalidate', 'timeout 15', { ...inv, timeout: '15' }, /Input 'timeout' must be a duration/],

  ['ecs-deploy', 'missing cluster', { ...ecs, cluster: '', image: 'a:1' }, /Input 'cluster' is required/],
  ['ecs-deploy', 'missing service', { ...ecs, service: '', image: 'a:1' }, /Input 'service' is required/],
  [
    'ecs-deploy',
    'unreadable task definition',
    { ...ecs, 'task-definition': join(dir, 'nope.json') },
    /Input 'task-definition' must be a readable task definition file .*ENOENT/,
  ],
  [
    'ecs-deploy',
    'invalid task definition',
    { ...ecs, 'task-definition': join(dir, 'broken.json') },
    /Input 'task-definition' must be a task definition file .*not valid JSON/,
  ],
  ['ecs-deploy', 'empty image', { ...ecs, image: '' }, /Input 'image' is empty: give the image for container 'api'/],
  ['ecs-deploy', 'image with a space', { ...ecs, image: 'api 2' }, /Input 'image' must be an image reference/],
  [
    'ecs-deploy',
    'images line without =',
    { ...ecs, 'container-name': '', images: 'api' },
    /Input 'images' must hold container=image lines/,
  ],
  [
    'ecs-deploy',
    'environment key with a dash',
    { ...ecs, image: 'a:1', environment: 'MY-KEY=1' },
    /Input 'environment' must hold KEY=VALUE lines/,
  ],
  ['ecs-deploy', 'promote-from without a slash', { ...ecs, 'promote-from': 'staging' }, /Input 'promote-from' must be cluster\/service/],
  [
    'ecs-deploy',
    'unbalanced quotes in the migration',
    { ...ecs, image: 'a:1', 'migrate-command': 'sh -c "npm run migrate' },
    /Input 'migrate-command' must be a command line with balanced quotes; this one has an unbalanced double quote/,
  ],
  ['ecs-deploy', 'wait: yes', { ...ecs, image: 'a:1', wait: 'yes' }, /Input 'wait' must be true or false/],
  ['ecs-deploy', 'rollback: flase', { ...ecs, image: 'a:1', rollback: 'flase' }, /Input 'rollback' must be true or false/],
  ['ecs-deploy', 'bad timeout', { ...ecs, image: 'a:1', timeout: '10 minutes' }, /Input 'timeout' must be a duration/],
  ['ecs-deploy', 'negative desired-count', { ...ecs, image: 'a:1', 'desired-count': '-1' }, /Input 'desired-count' must be a whole number/],
  [
    'ecs-deploy',
    'health-check-url without a scheme',
    { ...ecs, image: 'a:1', 'health-check-url': 'api.example.com/health' },
    /Input 'health-check-url' must be an http/,
  ],
  [
    'ecs-deploy',
    'image and images together',
    { ...ecs, image: 'a:1', images: 'api=a:2' },
    /Input 'image' and 'images' cannot both be given/,
  ],

  ['router', 'unknown command', { command: 'destroy' }, /Input 'command' must be setup or status/],
  ['router', 'name with a space', { name: 'my router' }, /Input 'name' must be 1 to 64 letters, digits, - and _/],
  ['router', 'malformed distribution id', { 'distribution-id': 'e123' }, /Input 'distribution-id' must be CloudFront distribution ids/],
  ['router', 'hosts line without = or ->', { hosts: 'www.example.com' }, /Input 'hosts' must hold lines HOST=SITE/],
  ['router', 'hosts line with a URL', { hosts: 'https://www.example.com=web' }, /Input 'hosts' .*is not a host name/],
  ['router', 'bad timeout', { timeout: 'soon' }, /Input 'timeout' must be a duration/],
  ['deploy-static', 'bad router name', { ...ds, router: 'my router' }, /Input 'router' must be the router's name/],
  [
    'deploy-static',
    'unknown trailing-slash policy',
    { ...ds, router: 'web', 'trailing-slash': 'add' },
    /Input 'trailing-slash' must be one of keep, always, never/,
  ],
  ['deploy-static', 'mode releases without a router', { ...ds, mode: 'releases' }, /Input 'mode' releases needs the router input too/],
  [
    'deploy-static',
    'mode releases from an s3 source',
    { ...ds, router: 'web', mode: 'releases', source: 's3://other-bucket/site' },
    /Input 'mode' releases needs a local build directory as source/,
  ],
  ['release', 'unknown command', { bucket: 'b', router: 'web', command: 'prune' }, /Input 'command' must be list, rollback, promote or gc/],
  [
    'release',
    'promote without to',
    { bucket: 'b', router: 'web', command: 'promote' },
    /Input 'to' is required: the site that gets the release/,
  ],
  [
    'release',
    'keep-releases 0',
    { bucket: 'b', router: 'web', command: 'gc', 'keep-releases': '0' },
    /Input 'keep-releases' must be a whole number from 1 to 1000/,
  ],
  ['release', 'no bucket', { router: 'web' }, /Input 'bucket' is required/],
  [
    'release',
    'malformed release-id',
    { bucket: 'b', router: 'web', command: 'rollback', 'release-id': 'v1' },
    /Input 'release-id' must be a release id/,
  ],
  [
    'release',
    'release-id with list',
    { bucket: 'b', router: 'web', 'release-id': '0123456789abcdef' },
    /Input 'release-id' is for command rollback and promote only/,
  ],

  [
    'pr-preview',
    'router ARN with strategy dedicated',
    { ...dedicated, router: 'arn:aws:cloudfront::123456789012:key-value-store/12345678-1234-1234-1234-123456789012' },
    /Input 'router' must be the router's name with strategy dedicated/,
  ],
  ['pr-preview', 'unknown command', { ...shared, command: 'destroy' }, /Input 'command' must be auto, deploy, cleanup or sweep/],
  ['pr-preview', 'unknown strategy', { ...shared, strategy: 'per-pr' }, /Input 'strategy' must be shared or dedicated/],
  ['pr-preview', 'domain with a scheme', { ...shared, domain: 'https://preview.example.com' }, /Input 'domain' must be a DNS name/],
  ['pr-preview', 'wildcard domain', { ...shared, domain: '*.example.com' }, /Input 'domain' must be a DNS name/],
  ['pr-preview', 'shared without a bucket', { ...shared, bucket: '' }, /Input 'bucket' is required/],
  [
    'pr-preview',
    'shared without a distribution',
    { ...shared, 'distribution-id': '' },
    /Input 'distribution-id' is required with strategy shared/,
  ],
  [
    'pr-preview',
    'malformed distribution id',
    { ...shared, 'distribution-id': 'e123' },
    /Input 'distribution-id' must be CloudFront distribution ids/,
  ],
  [
    'pr-preview',
    'dedicated template without {number}',
    { ...dedicated, bucket: 'previews' },
    /Input 'bucket' must be a bucket name template with \{number\}/,
  ],
  [
    'pr-preview',
    'dedicated template too long',
    { ...dedicated, bucket: `pr-{number}-${'x'.repeat(60)}` },
    /valid S3 bucket name .* for any PR number/,
  ],
  [
    'pr-preview',
    'certificate outside us-east-1',
    { ...dedicated, 'certificate-arn': 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' },
    /Input 'certificate-arn' must be an ACM certificate ARN in us-east-1/,
  ],
  ['pr-preview', 'dedicated without a zone', { ...dedicated, 'hosted-zone-id': '' }, /Input 'hosted-zone-id' is required/],
  ['pr-preview', 'unknown price class', { ...dedicated, 'price-class': 'PriceClass_50' }, /Input 'price-class' must be one of/],
  ['pr-preview', 'non-numeric PR number', { ...shared, 'pr-number': 'abc' }, /Input 'pr-number' must be a pull request number/],
  ['pr-preview', 'short head sha', { ...shared, 'pr-number': '5', 'head-sha': 'abc1234' }, /Input 'head-sha' must be a full commit id/],
  ['pr-preview', 'comment: yes', { ...shared, comment: 'yes' }, /Input 'comment' must be true or false/],
  ['pr-preview', 'bad duration', { ...shared, 'expire-after': 'soon' }, /Input 'expire-after' must be a duration/],
  ['pr-preview', 'zero concurrency', { ...shared, concurrency: '0' }, /Input 'concurrency' must be a whole number/],
  ['pr-preview', 'source is a file', { ...shared, source: file }, /Input 'source' must be a directory/],
  ['pr-preview', 'source missing', { ...shared, source: join(site, 'nope') }, /Input 'source' must be an existing directory/],
  ['pr-preview', 's3 source', { ...shared, source: 's3://bucket/site' }, /Input 'source' must be a local build directory/],
  [
    'pr-preview',
    'no PR in a workflow_run event',
    { ...shared, '@event': workflowRun },
    /Input 'pr-number' is required when the event \(workflow_run\) carries no pull request/,
  ],
];

describe('bad input: exit 1, one ::error:: naming the input and its form, no request to AWS or GitHub', () => {
  it('covers every action, at least 40 cases', () => {
    expect(new Set(CASES.map(([action]) => action))).toEqual(new Set(Object.keys(actionSpecs)));
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%s: %s', async (action, _name, given, message) => {
    proxy.clear();
    github.reset();
    const { '@event': eventPath = event, ...inputs } = given;
    const eventName = eventPath === workflowRun ? 'workflow_run' : 'pull_request';
    const env = { ...awsEnvFor(proxy.endpoint), ...githubEnvFor(github, { repository: 'acme/web', eventName, eventPath }) };
    const result = await runActionBundle(action, inputs, { env });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    expect(proxy.requests).toEqual([]);
    expect(github.requests).toEqual([]);
  });
});
