// One way to make an S3 client: keep-alive connections sized to the concurrency, the SDK's
// standard retries (throttling, 5xx, connection resets) with more attempts, and the endpoint
// settings S3-compatible stores need.
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Logger } from '@smithy/types';
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

/**
 * The SDK's default logger is a no-op with an `info` method, and its logger middleware calls
 * `logger?.info?.({ output: outputFilterSensitiveLog(output) })` after every request: a deep copy of each
 * response through its schema, to be thrown away — for a listing, every object of every page (the
 * profile of a 2,000-file redeploy showed it, and the garbage it leaves). A logger without `info` skips
 * the call and its arguments; the other levels are no-ops, as the default's are.
 */
const quietSdkLogger = { debug() {}, warn() {}, error() {} } as unknown as Logger;

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
    logger: quietSdkLogger,
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
