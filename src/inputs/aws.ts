// The S3 connection inputs the actions that talk to S3 share (region, endpoint, force-path-style),
// parsed one way. Each is optional: left empty, the AWS SDK's own settings (environment, profile) apply.
import type { S3ClientSettings } from '../lib/aws/s3-client.js';
import type { Field, InputCollector } from './errors.js';
import { parseBoolean, parseEndpoint, parseRegion } from './parse.js';

export type S3Connection = Pick<S3ClientSettings, 'region' | 'endpoint' | 'forcePathStyle'>;

/** An action's InputReader, when its action.yml declares the three inputs. */
export interface S3ConnectionInputs {
  optional(name: 'region' | 'endpoint' | 'force-path-style'): string | undefined;
}

/**
 * region, endpoint and force-path-style, each checked on its own so that every one that is wrong is
 * reported (to `c`); the field fails when any of them did.
 */
export function parseS3Connection(inputs: S3ConnectionInputs, c: InputCollector): Field<S3Connection> {
  const given = <T>(name: 'region' | 'endpoint' | 'force-path-style', parse: (input: string, raw: string) => T) =>
    c.field(() => {
      const v = inputs.optional(name);
      return v === undefined ? undefined : parse(name, v);
    });
  const region = given('region', parseRegion);
  const endpoint = given('endpoint', parseEndpoint);
  const forcePathStyle = given('force-path-style', parseBoolean);
  return c.from({ region, endpoint, forcePathStyle }, (v) => v);
}
