// The strategy a request names, over the clients: its store, and the edge router's preview hosts
// when previews are routed by one.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import { resolveRegion } from '../../aws/s3-client.js';
import { repoName, type GitHub } from '../../github/client.js';
import type { Logger } from '../../log/logger.js';
import { liveFunctionArn } from '../../router/setup.js';
import { createKvsClient } from '../../router/store.js';
import type { Clock } from '../../util/clock.js';
import type { PreviewDeps } from '../preview.js';
import type { PreviewLimits, PreviewRequest, PreviewRun } from '../request.js';
import type { PreviewStore } from '../store.js';
import { DedicatedPreviewStore } from './dedicated/index.js';
import { PreviewRouter } from './router.js';
import { SharedPreviewStore } from './shared.js';

export interface PreviewClients {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  route53: Route53Client;
  github: GitHub;
  clock: Clock;
  /** The edge router's data plane (default: createKvsClient()). */
  kvs?: CloudFrontKeyValueStoreClient;
  /** Shorter waits than the request's limits, for tests: see DedicatedStoreDeps. */
  dedicated?: Partial<PreviewLimits['dedicated']>;
}

/** The store of the request's strategy. `routerFunctionArn`: the function a dedicated distribution runs. */
export function openStore(request: PreviewRun, clients: PreviewClients, log: Logger, routerFunctionArn?: string): PreviewStore {
  const base = { repository: repoName(request.repo), domain: request.domain };
  const s = request.strategy;
  if (s.kind === 'shared') {
    return new SharedPreviewStore(
      { ...base, bucket: s.bucket, distributionId: s.distributionId, invalidationTimeoutMs: request.limits.invalidationTimeoutMs },
      { s3: clients.s3, cloudfront: clients.cloudfront, log, clock: clients.clock },
    );
  }
  return new DedicatedPreviewStore(
    {
      ...base,
      bucketTemplate: s.bucketTemplate,
      certificateArn: s.certificateArn,
      hostedZoneId: s.hostedZoneId,
      priceClass: s.priceClass,
      region: resolveRegion(undefined),
      ...(routerFunctionArn ? { routerFunctionArn } : {}),
    },
    {
      s3: clients.s3,
      cloudfront: clients.cloudfront,
      route53: clients.route53,
      log,
      clock: clients.clock,
      ...request.limits.dedicated,
      ...clients.dedicated,
    },
  );
}

/** Everything a command runs with: the strategy's store, the router (if any), the clients. */
export async function openPreview(request: PreviewRequest, clients: PreviewClients, log: Logger): Promise<PreviewDeps> {
  const { s3, cloudfront, github, clock } = clients;
  // Dedicated previews' distributions run the router's published function instead of error responses.
  const routerFunctionArn =
    request.router && request.strategy.kind === 'dedicated' && request.command === 'deploy'
      ? await liveFunctionArn(request.router, cloudfront)
      : undefined;
  const store = openStore(request, clients, log, routerFunctionArn);
  const router = request.router
    ? new PreviewRouter(
        request.router,
        { locate: (n) => store.locate(n), domain: request.domain },
        { s3, kvs: clients.kvs ?? createKvsClient(), cloudfront, log },
      )
    : undefined;
  return { store, ...(router ? { router } : {}), s3, cloudfront, github, log, clock };
}
