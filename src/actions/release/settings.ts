// The release action's inputs (and the CLI's release flags), parsed into one typed settings object.
import { InputCollector, InputError } from '../../inputs/errors.js';
import { parseBoolean, parseBucketName, parseDuration, parseInteger, parsePrefix, parseSiteUrl } from '../../inputs/parse.js';
import { parseS3Connection } from '../../inputs/aws.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import type { S3ClientSettings } from '../../lib/aws/s3-client.js';
import { parseRouter, parseSite } from '../../inputs/router.js';
import { defaultSite } from '../../lib/router/site-settings.js';
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
  /** rollback and promote: false skips checking the target through the CDN (before) and waiting for the edges (after). */
  verify: boolean;
  /** rollback and promote: the URL to verify through; default the first host the router maps to the site owning the target's table. */
  verifyUrl?: string;
  /** promote: the URL of site to, polled after the switch (and across stores verified through); default its first host. */
  toUrl?: string;
  aws: S3ClientSettings;
}

const ONLY = {
  'release-id': ['rollback', 'promote'],
  from: ['promote'],
  to: ['promote'],
  'to-bucket': ['promote'],
  'to-prefix': ['promote'],
  'to-router': ['promote'],
  'to-url': ['promote'],
  'verify-url': ['rollback', 'promote'],
} as const;

/** The release action reads nothing from the environment but its inputs (the AWS SDK reads its own). */
export function parseReleaseSettings(raw: RawInputs, _env: ActionEnvironment): ReleaseActionSettings {
  const inputs = new InputReader('release', raw);
  const c = new InputCollector();
  const command = c.field(() => {
    const value = inputs.get('command').trim() || 'list';
    if (!(RELEASE_COMMANDS as readonly string[]).includes(value))
      throw new InputError('command', `must be ${RELEASE_COMMANDS.slice(0, -1).join(', ')} or ${RELEASE_COMMANDS.at(-1)}`, value);
    return value as ReleaseCommand;
  });
  // Inputs that belong to other commands are mistakes worth naming (a release-id given to list does nothing).
  for (const [name, commands] of Object.entries(ONLY) as [keyof typeof ONLY, readonly string[]][]) {
    c.field(() => {
      const value = inputs.optional(name);
      if (value !== undefined && command.value !== undefined && !commands.includes(command.value))
        throw new InputError(name, `is for command ${commands.join(' and ')} only`, value);
    });
  }
  const bucket = c.field(() => parseBucketName('bucket', inputs.required('bucket', 'the bucket deploy-static stages the releases in')));
  const prefix = c.field(() => parsePrefix('prefix', inputs.get('prefix')));
  const router = c.field(() => parseRouter('router', inputs.required('router', "the router's name or its key value store ARN")));
  const givenSite = inputs.optional('site');
  const site =
    givenSite !== undefined
      ? c.field(() => parseSite('site', givenSite))
      : c.from({ bucket, prefix }, (v) => parseSite('site', defaultSite(v.bucket, v.prefix)));
  const releaseId = c.field(() => {
    const value = inputs.optional('release-id');
    if (value === undefined) return undefined;
    if (!RELEASE_ID.test(value))
      throw new InputError('release-id', 'must be a release id: 16 lower-case hex digits, as deploy-static reports it', value);
    return value;
  });
  const from = c.field(() => {
    const value = inputs.optional('from');
    return value === undefined ? site.value : parseSite('from', value);
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
    if (command.value !== 'promote') return undefined;
    const value = parseSite('to', inputs.required('to', 'the site that gets the release, e.g. production'));
    const [b, p, r, f] = [bucket.value, prefix.value, router.value, from.value];
    if (b === undefined || p === undefined || r === undefined) return undefined;
    const target = {
      site: value,
      bucket: toBucket.value ?? b,
      prefix: toPrefix.value ?? (toBucket.value === undefined ? p : ''),
      router: toRouter.value ?? r,
    };
    if (target.site === f && target.bucket === b && target.prefix === p && target.router === r) {
      throw new InputError(
        'to',
        `names the site the release comes from (from: ${f ?? ''}); give the site that should get it, e.g. production`,
        value,
      );
    }
    return target;
  });
  const keepReleases = c.field(() => parseInteger('keep-releases', inputs.get('keep-releases'), 1, 1000));
  const staleGraceMs = c.field(() => parseDuration('stale-asset-grace', inputs.get('stale-asset-grace')));
  const dryRun = c.field(() => {
    const value = parseBoolean('dry-run', inputs.get('dry-run'));
    if (value && command.value !== undefined && command.value !== 'gc')
      throw new InputError(
        'dry-run',
        'is for command gc only (list changes nothing; rollback and promote are one pointer write)',
        inputs.get('dry-run'),
      );
    return value;
  });
  const verify = c.field(() => {
    const value = parseBoolean('verify', inputs.get('verify') || 'true');
    // true is the default every command gets; false only means something to a switch.
    if (!value && command.value !== undefined && command.value !== 'rollback' && command.value !== 'promote')
      throw new InputError(
        'verify',
        'is for command rollback and promote only (they verify the target through the CDN before switching)',
        inputs.get('verify'),
      );
    return value;
  });
  const verifyUrl = c.field(() => {
    const value = inputs.optional('verify-url');
    return value === undefined ? undefined : parseSiteUrl('verify-url', value);
  });
  const toUrl = c.field(() => {
    const value = inputs.optional('to-url');
    return value === undefined ? undefined : parseSiteUrl('to-url', value);
  });
  const aws = parseS3Connection(inputs, c);
  const v = c.done({
    command,
    bucket,
    prefix,
    router,
    site,
    releaseId,
    from,
    to,
    keepReleases,
    staleGraceMs,
    dryRun,
    verify,
    verifyUrl,
    toUrl,
    aws,
  });
  return {
    command: v.command,
    bucket: v.bucket,
    prefix: v.prefix,
    router: v.router,
    site: v.site,
    ...(v.releaseId ? { releaseId: v.releaseId } : {}),
    from: v.from ?? v.site,
    ...(v.to ? { to: v.to } : {}),
    keepReleases: v.keepReleases,
    staleGraceMs: v.staleGraceMs,
    dryRun: v.dryRun,
    verify: v.verify,
    ...(v.verifyUrl ? { verifyUrl: v.verifyUrl } : {}),
    ...(v.toUrl ? { toUrl: v.toUrl } : {}),
    aws: { ...v.aws, concurrency: 16 },
  };
}
