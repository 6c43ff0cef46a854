// deploy-static's inputs, parsed and validated into one typed settings object before any request.
import { InputCollector, InputError } from '../../inputs/errors.js';
import {
  cacheControlProblem,
  parseBoolean,
  parseBucketName,
  parseDuration,
  parseGlobList,
  parseGlobRules,
  parseHeaderRules,
  parseInteger,
  parsePrefix,
} from '../../inputs/parse.js';
import { parseS3Connection } from '../../inputs/aws.js';
import { awsEnvironmentErrors } from '../../lib/aws/environment.js';
import { FRAMEWORKS, type Framework } from '../../lib/s3-sync/frameworks.js';
import type { DeleteMode } from '../../lib/s3-sync/plan.js';
import { parseLocalDir } from '../../inputs/files.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import type { S3ClientSettings } from '../../lib/aws/s3-client.js';
import type { SyncSettings, SyncSource } from '../../lib/s3-sync/sync.js';
import { parseSiteRouting } from '../../inputs/router.js';
import type { SiteRouting } from '../../lib/router/site-settings.js';
import { parseMode, type DeployMode } from './mode.js';
import { parseVerify } from './verify.js';
import type { VerifySettings } from '../../lib/releases/deploy.js';

export interface DeployStaticSettings extends SyncSettings, VerifySettings {
  aws: S3ClientSettings;
  /** With a router: the site's routing table is written after the upload. */
  routing?: SiteRouting;
  /** releases: stage each release and switch the router's live pointer (src/lib/releases/). Absent: mirror. */
  mode?: DeployMode;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_-]+=[^;\s]+)*$/i;

const checkMediaType = (value: string) =>
  MEDIA_TYPE.test(value) ? undefined : 'must hold GLOB=TYPE lines whose TYPE is a media type such as text/html or application/json';

/** `s3://bucket[/prefix]`, or a local directory that exists (relative to `cwd`). */
export function parseSource(raw: string, cwd: string): SyncSource {
  if (/^s3:\/\//i.test(raw)) {
    const rest = raw.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucketPart = slash < 0 ? rest : rest.slice(0, slash);
    const form = 'must be a local directory or s3://bucket[/prefix]';
    if (bucketPart === '') throw new InputError('source', `${form}: the bucket is missing`, raw);
    let bucket: string;
    let prefix: string;
    try {
      bucket = parseBucketName('source', bucketPart);
      prefix = parsePrefix('source', slash < 0 ? '' : rest.slice(slash + 1));
    } catch (error) {
      throw new InputError('source', `${form}, with a valid bucket name and key prefix`, raw, { cause: error });
    }
    return { kind: 's3', bucket, prefix };
  }
  return { kind: 'local', dir: parseLocalDir('source', raw, cwd, 'or s3://bucket[/prefix]') };
}

/** Who is deploying, for a deploy that must wait for this one: the workflow run and its job. */
export function deployOwner(env: ActionEnvironment['vars']): string | undefined {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  const run = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  return `workflow run ${run}${env.GITHUB_JOB ? ` (job ${env.GITHUB_JOB})` : ''}`;
}

/** true: what earlier deploys wrote; all: also what Slipway did not write; false: nothing. */
export function parseDelete(raw: string): DeleteMode {
  const value = raw.trim();
  if (value === 'all') return 'all';
  try {
    return parseBoolean('delete', value) ? 'ours' : 'none';
  } catch {
    throw new InputError('delete', 'must be true (objects earlier deploys wrote), all (also objects Slipway did not write) or false', raw);
  }
}

export function parseFramework(raw: string): Framework | 'auto' {
  const value = raw.trim().toLowerCase();
  if (value === 'auto') return 'auto';
  if ((FRAMEWORKS as readonly string[]).includes(value)) return value as Framework;
  throw new InputError('framework', `must be auto or one of ${FRAMEWORKS.join(', ')}`, raw);
}

export function parseDeployStaticSettings(raw: RawInputs, env: ActionEnvironment): DeployStaticSettings {
  const { cwd, vars } = env;
  // The run id marks what this step wrote; a command run from a step is not the step.
  const runId = env.as === 'step' ? vars.GITHUB_RUN_ID : undefined;
  const owner = deployOwner(vars);
  const inputs = new InputReader('deploy-static', raw);
  const c = new InputCollector();
  const source = c.field(() => parseSource(inputs.required('source', 'a local directory or s3://bucket[/prefix]'), cwd));
  const bucket = c.field(() => parseBucketName('bucket', inputs.required('bucket', 'the target bucket name')));
  const prefix = c.field(() => parsePrefix('prefix', inputs.get('prefix')));
  const del = c.field(() => parseDelete(inputs.get('delete')));
  const framework = c.field(() => parseFramework(inputs.get('framework')));
  const headers = c.field(() => parseHeaderRules('headers', inputs.get('headers')));
  const cacheControl = c.field(() => parseGlobRules('cache-control', inputs.get('cache-control'), cacheControlProblem));
  const contentType = c.field(() => parseGlobRules('content-type', inputs.get('content-type'), checkMediaType));
  const exclude = c.field(() => parseGlobList('exclude', inputs.get('exclude')));
  const keep = c.field(() => parseGlobList('keep', inputs.get('keep')));
  const staleGraceMs = c.field(() => parseDuration('stale-asset-grace', inputs.get('stale-asset-grace')));
  const concurrency = c.field(() => parseInteger('concurrency', inputs.get('concurrency'), 1, 256));
  const dryRun = c.field(() => parseBoolean('dry-run', inputs.get('dry-run')));
  const aws = parseS3Connection(inputs, c);
  for (const error of awsEnvironmentErrors(vars, {
    regionGiven: inputs.optional('region') !== undefined,
    endpointGiven: inputs.optional('endpoint') !== undefined,
    services: ['S3'],
  }))
    c.add(error);
  const from = source.value;
  if (from?.kind === 's3' && bucket.ok && prefix.ok && from.bucket === bucket.value) {
    if (from.prefix.startsWith(prefix.value) || prefix.value.startsWith(from.prefix)) {
      c.add(
        new InputError(
          'source',
          `must not overlap the target: s3://${bucket.value}/${prefix.value} and the source contain each other, so a deploy could overwrite or delete the build it promotes`,
          `s3://${from.bucket}/${from.prefix}`,
        ),
      );
    }
  }
  const routing = parseSiteRouting((name) => inputs.get(name), c, bucket.value, prefix.value);
  const mode = parseMode(inputs.get('mode'), c, routing, inputs.get('router').trim() !== '', source.value);
  const verify = parseVerify(inputs.get('verify'), inputs.get('verify-url'), mode, c);
  const v = c.done({
    source,
    bucket,
    prefix,
    del,
    framework,
    headers,
    cacheControl,
    contentType,
    exclude,
    keep,
    staleGraceMs,
    concurrency,
    dryRun,
    aws,
  });
  return {
    ...(mode === 'releases' ? { mode, ...verify } : {}),
    ...(routing ? { routing } : {}),
    source: v.source,
    bucket: v.bucket,
    prefix: v.prefix,
    delete: v.del,
    framework: v.framework,
    headers: v.headers,
    cacheControl: v.cacheControl,
    contentType: v.contentType,
    exclude: v.exclude,
    keep: v.keep,
    staleGraceMs: v.staleGraceMs,
    concurrency: v.concurrency,
    dryRun: v.dryRun,
    ...(runId ? { runId } : {}),
    ...(owner ? { owner, runJob: `${vars.GITHUB_REPOSITORY ?? ''}/${vars.GITHUB_RUN_ID ?? ''}/${vars.GITHUB_JOB ?? ''}` } : {}),
    aws: { ...v.aws, concurrency: v.concurrency },
  };
}
