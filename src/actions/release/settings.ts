// The release action's inputs (and the CLI's release flags), parsed into one typed settings object.
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseBoolean, parseBucketName, parseDuration, parseEndpoint, parseInteger, parsePrefix, parseRegion } from '../../inputs/parse.js';
import { InputReader, type RawInputs } from '../../inputs/reader.js';
import type { S3ClientSettings } from '../../lib/aws/s3-client.js';
import { defaultSite, parseRouter, parseSite } from '../../lib/router/site-settings.js';
import { RELEASE_ID } from '../../lib/releases/layout.js';

export const RELEASE_COMMANDS = ['list', 'rollback', 'promote', 'gc'] as const;
export type ReleaseCommand = (typeof RELEASE_COMMANDS)[number];

export interface PromoteTarget {
  site: string;
  bucket: string;
  prefix: string;
  router: string;
}

export interface ReleaseActionSettings {
  command: ReleaseCommand;
  bucket: string;
  prefix: string;
  router: string;
  site: string;
  /** rollback: the target (absent: the release live before the current one); promote: the release (absent: from's live one). */
  releaseId?: string;
  /** promote: the site whose release is promoted (default: site), in bucket/prefix/router. */
  from: string;
  /** promote: where it goes. */
  to?: PromoteTarget;
  keepReleases: number;
  staleGraceMs: number;
  dryRun: boolean;
  aws: S3ClientSettings;
}

const ONLY = { 'release-id': ['rollback', 'promote'], from: ['promote'], to: ['promote'], 'to-bucket': ['promote'], 'to-prefix': ['promote'], 'to-router': ['promote'] } as const;

export function parseReleaseSettings(raw: RawInputs): ReleaseActionSettings {
  const inputs = new InputReader('release', raw);
  const c = new InputCollector();
  const command = c.field(() => {
    const value = inputs.get('command').trim() || 'list';
    if (!(RELEASE_COMMANDS as readonly string[]).includes(value)) throw new InputError('command', `must be ${RELEASE_COMMANDS.slice(0, -1).join(', ')} or ${RELEASE_COMMANDS.at(-1)}`, value);
    return value as ReleaseCommand;
  });
  // Inputs that belong to other commands are mistakes worth naming (a release-id given to list does nothing).
  for (const [name, commands] of Object.entries(ONLY) as [keyof typeof ONLY, readonly string[]][]) {
    c.field(() => {
      const value = inputs.optional(name);
      if (value !== undefined && command !== undefined && !commands.includes(command)) throw new InputError(name, `is for command ${commands.join(' and ')} only`, value);
    });
  }
  const bucket = c.field(() => parseBucketName('bucket', inputs.required('bucket', 'the bucket deploy-static stages the releases in')));
  const prefix = c.field(() => parsePrefix('prefix', inputs.get('prefix')));
  const router = c.field(() => parseRouter('router', inputs.required('router', "the router's name or its key value store ARN")));
  const site = c.field(() => {
    const given = inputs.optional('site');
    return given !== undefined ? parseSite('site', given) : bucket !== undefined && prefix !== undefined ? parseSite('site', defaultSite(bucket, prefix)) : undefined;
  });
  const releaseId = c.field(() => {
    const value = inputs.optional('release-id');
    if (value === undefined) return undefined;
    if (!RELEASE_ID.test(value)) throw new InputError('release-id', 'must be a release id: 16 lower-case hex digits, as deploy-static reports it', value);
    return value;
  });
  const from = c.field(() => {
    const value = inputs.optional('from');
    return value === undefined ? site : parseSite('from', value);
  });
  const toBucket = c.field(() => {
    const value = inputs.optional('to-bucket');
    return value === undefined ? undefined : parseBucketName('to-bucket', value);
  });
  const toPrefix = c.field(() => {
    const value = inputs.optional('to-prefix');
    return value === undefined ? undefined : parsePrefix('to-prefix', value);
  });
  const toRouter = c.field(() => {
    const value = inputs.optional('to-router');
    return value === undefined ? undefined : parseRouter('to-router', value);
  });
  const to = c.field((): PromoteTarget | undefined => {
    if (command !== 'promote') return undefined;
    const value = parseSite('to', inputs.required('to', 'the site that gets the release, e.g. production'));
    if (bucket === undefined || prefix === undefined || router === undefined) return undefined;
    const target = { site: value, bucket: toBucket ?? bucket, prefix: toPrefix ?? (toBucket === undefined ? prefix : ''), router: toRouter ?? router };
    if (target.site === from && target.bucket === bucket && target.prefix === prefix && target.router === router) {
      throw new InputError('to', `names the site the release comes from (from: ${from ?? ''}); give the site that should get it, e.g. production`, value);
    }
    return target;
  });
  const keepReleases = c.field(() => parseInteger('keep-releases', inputs.get('keep-releases'), 1, 1000));
  const staleGraceMs = c.field(() => parseDuration('stale-asset-grace', inputs.get('stale-asset-grace')));
  const dryRun = c.field(() => {
    const value = parseBoolean('dry-run', inputs.get('dry-run'));
    if (value && command !== undefined && command !== 'gc') throw new InputError('dry-run', 'is for command gc only (list changes nothing; rollback and promote are one pointer write)', inputs.get('dry-run'));
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
  c.done();
  return {
    command: command!,
    bucket: bucket!,
    prefix: prefix!,
    router: router!,
    site: site!,
    ...(releaseId ? { releaseId } : {}),
    from: from!,
    ...(to ? { to } : {}),
    keepReleases: keepReleases!,
    staleGraceMs: staleGraceMs!,
    dryRun: dryRun!,
    aws: { region, endpoint, forcePathStyle, concurrency: 16 },
  };
}
