// The one entry the action and the CLI share: settings in, the command's outcome out.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { createS3Client, resolveRegion } from '../../lib/aws/s3-client.js';
import { createGitHubClient, type GitHub } from '../../lib/github/client.js';
import type { Logger } from '../../lib/log/logger.js';
import { DedicatedPreviewStore } from '../../lib/preview/dedicated.js';
import { cleanupPreview, deployPreview, sweepPreviews, type CleanupOutcome, type DeployOutcome, type PreviewDeps, type PreviewRun, type SweepOutcome } from '../../lib/preview/preview.js';
import { SharedPreviewStore } from '../../lib/preview/shared.js';
import { PreviewRouter } from '../../lib/preview/router.js';
import { liveFunctionArn } from '../../lib/router/setup.js';
import { dedicatedBucket, sharedPrefix } from '../../lib/preview/naming.js';
import { createKvsClient } from '../../lib/router/store.js';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { PreviewStore } from '../../lib/preview/store.js';
import { systemClock, type Clock } from '../../lib/util/clock.js';
import { repoName } from '../../lib/github/client.js';
import { mapPartialFailure } from '../../lib/util/partial-failure.js';
import type { PrPreviewSettings } from './settings.js';

export type PrPreviewOutcome =
  | { command: 'deploy'; deploy: DeployOutcome }
  | { command: 'cleanup'; cleanup: CleanupOutcome }
  | { command: 'sweep'; sweep: SweepOutcome };

export interface PrPreviewClients {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  route53: Route53Client;
  github: GitHub;
  clock: Clock;
  /** The edge router's data plane (default: createKvsClient()). */
  kvs?: CloudFrontKeyValueStoreClient;
  /** Waits, for tests: see DedicatedStoreDeps. */
  dedicated?: { deployTimeoutMs?: number; removalWaitMs?: number; pollMs?: number };
}

export function createPrPreviewClients(settings: PrPreviewSettings): PrPreviewClients {
  return {
    s3: createS3Client({ concurrency: settings.concurrency }),
    cloudfront: createCloudFrontClient(),
    route53: new Route53Client({ region: 'us-east-1', maxAttempts: 8 }),
    github: createGitHubClient(settings.githubToken),
    clock: systemClock,
  };
}

export function createStore(settings: PrPreviewSettings, clients: PrPreviewClients, log: Logger, routerFunctionArn?: string): PreviewStore {
  const base = { repository: repoName(settings.repo), domain: settings.domain };
  const s = settings.strategy;
  if (s.kind === 'shared') {
    return new SharedPreviewStore({ ...base, bucket: s.bucket, distributionId: s.distributionId }, { s3: clients.s3, cloudfront: clients.cloudfront, log, clock: clients.clock });
  }
  return new DedicatedPreviewStore(
    { ...base, bucketTemplate: s.bucketTemplate, certificateArn: s.certificateArn, hostedZoneId: s.hostedZoneId, priceClass: s.priceClass, region: resolveRegion(undefined), ...(routerFunctionArn ? { routerFunctionArn } : {}) },
    { s3: clients.s3, cloudfront: clients.cloudfront, route53: clients.route53, log, clock: clients.clock, ...clients.dedicated },
  );
}

export async function runPrPreview(settings: PrPreviewSettings, clients: PrPreviewClients, log: Logger): Promise<PrPreviewOutcome> {
  // Dedicated previews' distributions run the router's published function instead of error responses.
  const routerFunctionArn = settings.router && settings.strategy.kind === 'dedicated' && settings.command === 'deploy' ? await liveFunctionArn(settings.router, clients.cloudfront) : undefined;
  const deps: PreviewDeps = { store: createStore(settings, clients, log, routerFunctionArn), s3: clients.s3, cloudfront: clients.cloudfront, github: clients.github, log, clock: clients.clock };
  if (settings.router) {
    const s = settings.strategy;
    const locate = (n: number) => (s.kind === 'shared' ? { bucket: s.bucket, prefix: sharedPrefix(n) } : { bucket: dedicatedBucket(s.bucketTemplate, n), prefix: '' });
    deps.router = new PreviewRouter(settings.router, { locate, domain: settings.domain }, { s3: clients.s3, kvs: clients.kvs ?? createKvsClient(), cloudfront: clients.cloudfront, log });
  }
  const run: PreviewRun = {
    repo: settings.repo,
    domain: settings.domain,
    comment: settings.comment,
    deployment: settings.deployment,
    dryRun: settings.dryRun,
    serverUrl: settings.serverUrl,
    ...(settings.runUrl ? { runUrl: settings.runUrl } : {}),
    ...(settings.runId ? { runId: settings.runId } : {}),
    ...(settings.job ? { job: settings.job } : {}),
    ...(settings.step ? { step: settings.step } : {}),
  };
  // A failed command still reports what it did: its outcome, as this command's.
  switch (settings.command) {
    case 'deploy':
      return mapPartialFailure(
        deployPreview(
          { ...run, number: settings.number!, ...(settings.headSha ? { headSha: settings.headSha } : {}), guardHeadSha: settings.guardHeadSha, sourceDir: settings.sourceDir!, cacheControl: settings.cacheControl, exclude: settings.exclude, concurrency: settings.concurrency },
          deps,
        ),
        (deploy: DeployOutcome) => ({ command: 'deploy', deploy }),
      );
    case 'cleanup':
      return mapPartialFailure(cleanupPreview(run, settings.number!, deps), (cleanup: CleanupOutcome) => ({ command: 'cleanup', cleanup }));
    case 'sweep':
      return mapPartialFailure(sweepPreviews(run, settings.expireAfterMs, deps), (sweep: SweepOutcome) => ({ command: 'sweep', sweep }));
  }
}
