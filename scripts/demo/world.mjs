// The world the scenarios run in: the embedded endpoints (moto for S3 and CloudFront, the fake
// GitHub API, the scripted ECS, the API's /health), the buckets and distributions Terraform would
// have made, a build of the web app, and the ways to look at their state.
import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { cpSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { FakeEcs } from '../../stand-ins/fake-ecs.mjs';
import { githubEnvFor, startFakeGitHub } from '../../stand-ins/fake-github.mjs';
import { awsEnvFor, startMoto } from '../../stand-ins/moto.mjs';
import { motoPid } from './lifecycle.mjs';

export const WEB_REPO = 'connect2/web';
export const API_REPO = 'connect2/api';
export const STAGING = 'connect2-web-staging';
export const PRODUCTION = 'connect2-web-production';
export const PREVIEWS = 'connect2-web-previews';
export const PREVIEW_DOMAIN = 'app.connect.com';

/** @typedef {Record<string, { etag: string, contentType: string, cacheControl: string }>} Objects */

/** @typedef {Awaited<ReturnType<typeof openWorld>>} World */

/**
 * Starts the endpoints (each stopped by the lifecycle) and makes the resources; records the moto
 * endpoint and the distribution ids as evidence.
 * @param {{ root: string, lifecycle: import('./lifecycle.mjs').Lifecycle, evidence: Record<string, unknown> }} options
 */
export async function openWorld({ root, lifecycle, evidence }) {
  const { moto, github, ecs, health } = await startEndpoints(lifecycle, evidence);

  const clientConfig = {
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const cloudfront = new CloudFrontClient(clientConfig);
  lifecycle.onStop(async () => {
    s3.destroy();
    cloudfront.destroy();
  });

  const aws = { ...awsEnvFor(moto.endpoint) };
  let run = 1000;
  /** The environment of one workflow run: its event, a run id of its own. @param {string} repository @param {string} eventName @param {unknown} payload */
  const workflowRun = (repository, eventName, payload) => {
    const eventPath = join(lifecycle.temp('event'), 'event.json');
    writeFileSync(eventPath, JSON.stringify(payload));
    const env = githubEnvFor(github, { repository, eventName, eventPath });
    delete env['INPUT_GITHUB-TOKEN']; // the token is an input of the steps that use it
    return { ...aws, ...env, GITHUB_RUN_ID: String(++run) };
  };

  /** Paths of every invalidation of a distribution, newest first as CloudFront lists them. @param {string} id */
  const invalidations = async (id) => {
    const list = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: id }));
    return Promise.all(
      (list.InvalidationList?.Items ?? []).map(async (item) => {
        const full = await cloudfront.send(new GetInvalidationCommand({ DistributionId: id, Id: item.Id }));
        return { id: item.Id ?? '', paths: [...(full.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort() };
      }),
    );
  };

  /** Every object: key → ETag, Content-Type, Cache-Control. @param {string} bucket @param {string} [prefix] */
  const objects = async (bucket, prefix) => {
    /** @type {Objects} */
    const found = {};
    /** @type {string | undefined} */
    let token;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.Key }));
        found[o.Key ?? ''] = { etag: o.ETag ?? '', contentType: head.ContentType ?? '', cacheControl: head.CacheControl ?? '' };
      }
      token = page.NextContinuationToken;
    } while (token);
    return found;
  };

  const distributions = await makeWebResources(s3, cloudfront);
  evidence.distributions = distributions;

  // A build of the web app, as CI would leave it.
  const site = lifecycle.temp('site');
  cpSync(join(root, 'demo/site'), site, { recursive: true });

  return {
    root,
    github,
    ecs,
    healthUrl: health.url,
    healthChecks: health.checks,
    s3,
    cloudfront,
    distributions,
    site,
    temp: lifecycle.temp,
    workflowRun,
    invalidations,
    objects,
  };
}

/** @param {import('./lifecycle.mjs').Lifecycle} lifecycle @param {Record<string, unknown>} evidence */
async function startEndpoints(lifecycle, evidence) {
  const moto = await startMoto();
  lifecycle.onStop(() => moto.stop());
  lifecycle.onExit(() => void moto.stop()); // stop() signals moto synchronously
  const pid = motoPid(Number(new URL(moto.endpoint).port));
  evidence.moto = { endpoint: moto.endpoint, pid };
  const github = await startFakeGitHub();
  lifecycle.onStop(() => github.close());
  const ecs = await new FakeEcs().start();
  lifecycle.onStop(() => ecs.close());
  const health = await startHealth(lifecycle);

  console.log('Slipway demo: the seed pipeline on embedded endpoints (no network, no credentials)');
  console.log(`  AWS (S3, CloudFront)  moto_server ${moto.endpoint}${pid ? ` (pid ${pid})` : ''}`);
  console.log(`  GitHub REST API       fake ${github.url}`);
  console.log(`  ECS + CloudWatch Logs scripted fake ${ecs.endpoint}`);
  console.log(`  API /health           ${health.url}`);
  return { moto, github, ecs, health };
}

/** The API's /health, counting the checks it answers. @param {import('./lifecycle.mjs').Lifecycle} lifecycle */
async function startHealth(lifecycle) {
  let checks = 0;
  const server = createServer((req, res) => {
    checks++;
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/health' ? '{"status":"ok","db":"migrated"}' : '{}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  lifecycle.onStop(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/health`;
  return { url, checks: () => checks };
}

/**
 * The buckets and distributions Terraform would have made (the web's resources by environment).
 * @param {S3Client} s3 @param {CloudFrontClient} cloudfront
 */
async function makeWebResources(s3, cloudfront) {
  /** @param {string} bucket @param {string} comment @param {string[]} [aliases] */
  const distribution = async (bucket, comment, aliases = []) => {
    const out = await cloudfront.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `slipway-demo-${bucket}`,
          Comment: comment,
          Enabled: true,
          ...(aliases.length > 0 ? { Aliases: { Quantity: aliases.length, Items: aliases } } : {}),
          DefaultRootObject: 'index.html',
          Origins: {
            Quantity: 1,
            Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 's3',
            ViewerProtocolPolicy: 'redirect-to-https',
            ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
            MinTTL: 0,
            TrustedSigners: { Enabled: false, Quantity: 0 },
          },
        },
      }),
    );
    const id = out.Distribution?.Id;
    if (!id) throw new Error(`CreateDistribution for ${bucket} returned no id`);
    return id;
  };

  for (const bucket of [STAGING, PRODUCTION, PREVIEWS]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const staging = await distribution(STAGING, 'connect2 web staging (app-staging.connect.com)');
  const production = await distribution(PRODUCTION, 'connect2 web production (app.connect.com)');
  const previews = await distribution(PREVIEWS, `connect2 previews (*.${PREVIEW_DOMAIN})`);
  console.log(
    `  buckets ${STAGING}, ${PRODUCTION}, ${PREVIEWS}; distributions ${staging} (staging), ${production} (production), ${previews} (previews, wildcard)`,
  );
  return { staging, production, previews };
}
