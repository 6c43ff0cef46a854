import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { randomBytes } from 'node:crypto';
import { motoEndpoint } from './s3.js';

export const cloudFrontAt = (endpoint: string): CloudFrontClient => new CloudFrontClient({ region: 'us-east-1', endpoint });

/** A distribution in moto, for invalidations. */
export async function newDistribution(): Promise<string> {
  const response = await cloudFrontAt(motoEndpoint()).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: randomBytes(8).toString('hex'),
        Comment: 'test',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 'site', DomainName: 'site.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'site',
          ViewerProtocolPolicy: 'redirect-to-https',
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
          MinTTL: 0,
          TrustedSigners: { Enabled: false, Quantity: 0 },
        },
      },
    }),
  );
  return response.Distribution!.Id!;
}

/** Every invalidation of a distribution, with its caller reference and paths. */
export async function invalidationsOf(distributionId: string) {
  const client = cloudFrontAt(motoEndpoint());
  const list = await client.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  return Promise.all(
    (list.InvalidationList?.Items ?? []).map(async (item) => {
      const full = await client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: item.Id }));
      return {
        id: item.Id!,
        status: full.Invalidation!.Status!,
        callerReference: full.Invalidation!.InvalidationBatch!.CallerReference!,
        paths: full.Invalidation!.InvalidationBatch!.Paths!.Items ?? [],
      };
    }),
  );
}
