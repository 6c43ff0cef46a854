// One way to make an S3 client: keep-alive connections sized to the concurrency, the SDK's
// standard retries (throttling, 5xx, connection resets) with more attempts, and the endpoint
// settings S3-compatible stores need.
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

export interface S3ClientSettings {
  /** Undefined: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  /** Undefined: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (read by the SDK), else AWS. */
  endpoint?: string;
  /** Undefined: true when an endpoint is set (input or environment), else false. */
  forcePathStyle?: boolean;
  concurrency: number;
  maxAttempts?: number;
}

export function resolveRegion(region: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export function createS3Client(settings: S3ClientSettings, env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpointInUse = settings.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const agent = { keepAlive: true, maxSockets: settings.concurrency };
  return new S3Client({
    region: resolveRegion(settings.region, env),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? Boolean(endpointInUse),
    followRegionRedirects: true,
    maxAttempts: settings.maxAttempts ?? 8,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
    }),
  });
}
