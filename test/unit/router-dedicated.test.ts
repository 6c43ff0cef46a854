// Dedicated previews on the edge router: every behaviour of the PR's distribution runs the router
// for both viewer events, and the 403/404 → /index.html error responses are gone (a missing chunk
// is no longer answered with HTML). Without a router the distribution is as before.
import { describe, expect, it } from 'vitest';
import { distributionConfig, type DedicatedStoreSettings } from '../../src/lib/preview/strategies/dedicated/index.js';
import { parsePrPreviewSettings } from '../../src/actions/pr-preview/settings.js';
import type { RunContext } from '../../src/lib/github/event.js';
import { writeSite } from '../support/s3.js';
import { testEnvironment } from '../support/environment.js';

const SETTINGS: DedicatedStoreSettings = {
  repository: 'acme/web',
  domain: 'preview.example.com',
  bucketTemplate: 'pr-{number}-web',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  hostedZoneId: 'Z0123456789ABC',
  priceClass: 'PriceClass_100',
  region: 'us-east-1',
};
const ROUTER = 'arn:aws:cloudfront::123456789012:function/previews';

describe('dedicated distribution with the router', () => {
  it('runs the router on every behaviour, for both viewer events, with no error responses', () => {
    const config = distributionConfig({ ...SETTINGS, routerFunctionArn: ROUTER }, 7, 'OAC1', 'ref');
    const both = {
      Quantity: 2,
      Items: [
        { EventType: 'viewer-request', FunctionARN: ROUTER },
        { EventType: 'viewer-response', FunctionARN: ROUTER },
      ],
    };
    expect(config.DefaultCacheBehavior!.FunctionAssociations).toEqual(both);
    for (const b of config.CacheBehaviors!.Items!) expect(b.FunctionAssociations).toEqual(both);
    expect(config.CustomErrorResponses).toEqual({ Quantity: 0, Items: [] });
  });

  it('without a router keeps the SPA error responses and runs no function', () => {
    const config = distributionConfig(SETTINGS, 7, 'OAC1', 'ref');
    expect(config.DefaultCacheBehavior!.FunctionAssociations).toBeUndefined();
    expect(config.CustomErrorResponses!.Quantity).toBe(2);
  });

  it('pr-preview takes a router name with strategy dedicated', () => {
    const context: RunContext = {
      repo: { owner: 'acme', repo: 'web' },
      eventName: 'pull_request',
      action: 'opened',
      pullNumber: 5,
      headSha: 'a'.repeat(40),
      serverUrl: 'https://github.com',
    };
    const inputs: Record<string, string> = {
      source: writeSite({ 'index.html': 'x' }),
      domain: 'preview.example.com',
      strategy: 'dedicated',
      bucket: 'pr-{number}-web',
      'certificate-arn': SETTINGS.certificateArn,
      'hosted-zone-id': 'Z0123456789ABC',
      'github-token': 't',
      router: 'previews',
    };
    expect(parsePrPreviewSettings((n) => inputs[n], testEnvironment(), context).router).toBe('previews');
  });
});
