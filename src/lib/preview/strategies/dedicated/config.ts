// The dedicated strategy's configuration, and the distribution configuration it gives each preview.
import type { CloudFrontClient, DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../../log/logger.js';
import type { Clock } from '../../../util/clock.js';
import { dedicatedBucket, previewHost } from '../../naming.js';

/**
 * AWS-managed policies: nothing to create or keep in step per preview ("Use managed cache policies",
 * CloudFront developer guide). UseOriginCacheControlHeaders has a minimum TTL of 0, so pages sent
 * with max-age=0 are never served stale, and compresses (CachingDisabled does not: a minimum,
 * default and maximum TTL of 0 turn compression off).
 */
export const MANAGED_POLICY = {
  useOriginCacheControlHeaders: '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  securityHeaders: '67f7725c-6f97-4210-82d7-5512b31e9d03',
} as const;

export interface DedicatedStoreSettings {
  repository: string;
  domain: string;
  bucketTemplate: string;
  certificateArn: string;
  hostedZoneId: string;
  priceClass: string;
  /** The buckets' region. */
  region: string;
  /** The edge router's function (LIVE): it routes the preview, instead of error responses. */
  routerFunctionArn?: string;
}

export interface DedicatedStoreDeps {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  route53: Route53Client;
  log: Logger;
  clock: Clock;
  /** How long a new distribution may take to deploy before the deploy fails. */
  deployTimeoutMs: number;
  /** How long cleanup waits for a disabled distribution before leaving it to the sweep. */
  removalWaitMs: number;
  /** How often CloudFront and Route 53 are asked again while waiting. */
  pollMs: number;
}

/**
 * The distribution of one preview: private S3 origin, HTML never cached, assets for a year. With the
 * edge router, every behaviour runs it (clean URLs, SPA fallback only for routes, 404.html) and
 * there are no error responses; without it, 403/404 fall back to /index.html as before.
 */
export function distributionConfig(
  s: DedicatedStoreSettings,
  number: number,
  originAccessControlId: string,
  callerReference: string,
): DistributionConfig {
  const bucket = dedicatedBucket(s.bucketTemplate, number);
  const router = s.routerFunctionArn;
  const functions = router
    ? {
        FunctionAssociations: {
          Quantity: 2,
          Items: [
            { EventType: 'viewer-request' as const, FunctionARN: router },
            { EventType: 'viewer-response' as const, FunctionARN: router },
          ],
        },
      }
    : {};
  const behaviour = (cachePolicyId: string) => ({
    ...functions,
    TargetOriginId: 's3',
    ViewerProtocolPolicy: 'redirect-to-https' as const,
    Compress: true,
    CachePolicyId: cachePolicyId,
    ResponseHeadersPolicyId: MANAGED_POLICY.securityHeaders,
    AllowedMethods: {
      Quantity: 2,
      Items: ['GET' as const, 'HEAD' as const],
      CachedMethods: { Quantity: 2, Items: ['GET' as const, 'HEAD' as const] },
    },
  });
  const spaFallback = (code: number) => ({ ErrorCode: code, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 0 });
  return {
    CallerReference: callerReference,
    Comment: `Slipway preview of ${s.repository} PR #${number}`.slice(0, 128),
    Enabled: true,
    Aliases: { Quantity: 1, Items: [previewHost(s.domain, number)] },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 's3',
          DomainName: `${bucket}.s3.${s.region}.amazonaws.com`,
          OriginAccessControlId: originAccessControlId,
          S3OriginConfig: { OriginAccessIdentity: '' },
        },
      ],
    },
    DefaultCacheBehavior: behaviour(MANAGED_POLICY.useOriginCacheControlHeaders),
    CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: 'assets/*', ...behaviour(MANAGED_POLICY.cachingOptimized) }] },
    CustomErrorResponses: router ? { Quantity: 0, Items: [] } : { Quantity: 2, Items: [spaFallback(403), spaFallback(404)] },
    PriceClass: s.priceClass as DistributionConfig['PriceClass'],
    ViewerCertificate: { ACMCertificateArn: s.certificateArn, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
    HttpVersion: 'http2and3',
    IsIPV6Enabled: true,
  };
}
