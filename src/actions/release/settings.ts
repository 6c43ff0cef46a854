// The release action's inputs (and the CLI's release flags), parsed into one typed settings object.
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseBoolean, parseBucketName, parseEndpoint, parsePrefix, parseRegion } from '../../inputs/parse.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import type { S3ClientSettings } from '../../lib/aws/s3-client.js';
import { defaultSite, parseRouter, parseSite } from '../../lib/router/site-settings.js';
import { RELEASE_ID } from '../../lib/releases/layout.js';

export interface ReleaseActionSettings {
  command: 'list' | 'rollback';
  bucket: string;
  prefix: string;
  router: string;
  site: string;
  /** rollback: the target; absent: the release live before the current one. */
  releaseId?: string;
  aws: S3ClientSettings;
}

/** The release action reads nothing from the environment but its inputs (the AWS SDK reads its own). */
export function parseReleaseSettings(raw: RawInputs, _env: ActionEnvironment): ReleaseActionSettings {
  const inputs = new InputReader('release', raw);
  const c = new InputCollector();
  const command = c.field(() => {
    const value = inputs.get('command').trim() || 'list';
    if (value !== 'list' && value !== 'rollback') throw new InputError('command', 'must be list or rollback', value);
    return value;
  });
  const bucket = c.field(() => parseBucketName('bucket', inputs.required('bucket', 'the bucket deploy-static stages the releases in')));
  const prefix = c.field(() => parsePrefix('prefix', inputs.get('prefix')));
  const router = c.field(() => parseRouter('router', inputs.required('router', "the router's name or its key value store ARN")));
  const givenSite = inputs.optional('site');
  const site = givenSite !== undefined ? c.field(() => parseSite('site', givenSite)) : c.from({ bucket, prefix }, (v) => parseSite('site', defaultSite(v.bucket, v.prefix)));
  const releaseId = c.field(() => {
    const value = inputs.optional('release-id');
    if (value === undefined) return undefined;
    if (!RELEASE_ID.test(value)) throw new InputError('release-id', 'must be a release id: 16 lower-case hex digits, as deploy-static reports it', value);
    if (command.value === 'list') throw new InputError('release-id', 'is for command rollback only', value);
    return value;
  });
  const region = c.field(() => {
    const v = inputs.optional('region');
    return v === undefined ? undefined : parseRegion('region', v);
  });
  const endpoint = c.field(() => {
    const v = inputs.optional('endpoint');
    return v === undefined ? undefined : parseEndpoint('endpoint', v);
  });
  const forcePathStyle = c.field(() => {
    const v = inputs.optional('force-path-style');
    return v === undefined ? undefined : parseBoolean('force-path-style', v);
  });
  const v = c.done({ command, bucket, prefix, router, site, releaseId, region, endpoint, forcePathStyle });
  return { command: v.command, bucket: v.bucket, prefix: v.prefix, router: v.router, site: v.site, ...(v.releaseId ? { releaseId: v.releaseId } : {}), aws: { region: v.region, endpoint: v.endpoint, forcePathStyle: v.forcePathStyle, concurrency: 16 } };
}
