import { CloudFrontClient } from '@aws-sdk/client-cloudfront';

/**
 * CloudFront is a global service signed in us-east-1; AWS_ENDPOINT_URL_CLOUDFRONT /
 * AWS_ENDPOINT_URL are honoured by the SDK. Few attempts per call: callers that must outlast
 * throttling or TooManyInvalidationsInProgress retry on their own clock, up to their timeout.
 */
export function createCloudFrontClient(): CloudFrontClient {
  return new CloudFrontClient({ region: 'us-east-1', maxAttempts: 3, retryMode: 'standard' });
}
