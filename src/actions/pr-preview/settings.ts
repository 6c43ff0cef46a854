// pr-preview's inputs and the triggering event, parsed and validated into one typed settings
// object before any request.
import { runContextFrom, type RunContext } from '../../lib/github/event.js';
import { InputCollector, InputError } from '../../inputs/errors.js';
import {
  cacheControlProblem,
  parseBoolean,
  parseBucketName,
  parseDuration,
  parseGlobList,
  parseGlobRules,
  parseInteger,
} from '../../inputs/parse.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import { parseOneDistributionId } from '../../inputs/cloudfront.js';
import { parseLocalDir } from '../../inputs/files.js';
import { parseRouter } from '../../inputs/router.js';
import { STORE_ARN } from '../../lib/router/names.js';
import type { PreviewCommand, PreviewLimits, PreviewRequest, PreviewRun, PreviewStrategy } from '../../lib/preview/request.js';

/** pr-preview's settings: the request the preview library takes, and the token its GitHub client uses. */
export type PrPreviewSettings = PreviewRequest & { githubToken: string };

/**
 * What pr-preview decides for every run (no input sets these): assets a push replaced stay a day,
 * since someone may have the preview open while it lands and still load old lazy chunks; more than
 * 15 changed paths collapse into wildcards; an invalidation may take 10 minutes. A new dedicated
 * distribution may take 30 minutes to deploy; cleanup waits 5 minutes for a disabled one before
 * leaving it to the sweep; CloudFront and Route 53 are asked again every 15 seconds.
 */
export const PREVIEW_LIMITS: PreviewLimits = {
  staleGraceMs: 24 * 3600_000,
  maxInvalidationPaths: 15,
  invalidationTimeoutMs: 10 * 60_000,
  dedicated: { deployTimeoutMs: 30 * 60_000, removalWaitMs: 5 * 60_000, pollMs: 15_000 },
};

const HOSTNAME = /^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOSTED_ZONE = /^Z[A-Z0-9]{1,31}$/;
const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];

function parseCommand(raw: string, context: RunContext): PreviewCommand {
  const value = raw.trim();
  if (value === 'auto') {
    const prEvent = context.eventName === 'pull_request' || context.eventName === 'pull_request_target';
    return prEvent && context.action === 'closed' ? 'cleanup' : 'deploy';
  }
  if (value === 'deploy' || value === 'cleanup' || value === 'sweep') return value;
  throw new InputError('command', 'must be auto, deploy, cleanup or sweep', raw);
}

function parseDomain(raw: string): string {
  const value = raw.trim().toLowerCase();
  if (!HOSTNAME.test(value))
    throw new InputError(
      'domain',
      'must be a DNS name like app.example.com (no scheme, no path, no wildcard); previews live at pr-{number}.<domain>',
      raw,
    );
  return value;
}

function parseBucketTemplate(raw: string): string {
  const value = raw.trim();
  const form = 'must be a bucket name template with {number}, like pr-{number}-my-site';
  if (!value.includes('{number}')) throw new InputError('bucket', `${form} (strategy dedicated makes one bucket per PR)`, raw);
  try {
    // The longest PR number must still give a valid bucket name.
    parseBucketName('bucket', value.replaceAll('{number}', '123456789'));
  } catch (error) {
    throw new InputError(
      'bucket',
      `${form}, which stays a valid S3 bucket name (3–63 lower-case letters, digits, dots or hyphens) for any PR number`,
      raw,
      { cause: error },
    );
  }
  return value;
}

function parseNumber(raw: string): number {
  const value = raw.trim();
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new InputError('pr-number', 'must be a pull request number: a positive whole number like 42', raw);
  return Number(value);
}

function parseSourceDir(raw: string, cwd: string): string {
  if (/^s3:\/\//i.test(raw))
    throw new InputError('source', 'must be a local build directory (a preview is uploaded from the build, not promoted)', raw);
  return parseLocalDir('source', raw, cwd);
}

/** `context`: what the triggering event says (read from the environment's GITHUB_EVENT_PATH unless given). */
export function parsePrPreviewSettings(
  raw: RawInputs,
  env: ActionEnvironment,
  context: RunContext = runContextFrom(env.vars),
): PrPreviewSettings {
  const { cwd } = env;
  const inputs = new InputReader('pr-preview', raw);
  const c = new InputCollector();
  const command = c.field(() => parseCommand(inputs.get('command'), context));
  const domain = c.field(() => parseDomain(inputs.required('domain', 'the DNS name previews live under, like app.example.com')));
  const strategyName = c.field(() => {
    const value = inputs.get('strategy').trim();
    if (value !== 'shared' && value !== 'dedicated') throw new InputError('strategy', 'must be shared or dedicated', value);
    return value;
  });
  // A strategy's own inputs, collected on their own and reported with the others.
  const strategy = c.from({ strategyName }, ({ strategyName }): PreviewStrategy => {
    const s = new InputCollector();
    if (strategyName === 'shared') {
      const bucket = s.field(() => parseBucketName('bucket', inputs.required('bucket', 'the previews bucket (strategy shared)')));
      const distributionId = s.field(() => {
        if (inputs.optional('distribution-id') === undefined)
          throw new InputError('distribution-id', 'is required with strategy shared: the id of the wildcard distribution for *.<domain>');
        return parseOneDistributionId(
          'distribution-id',
          inputs.get('distribution-id'),
          'must be one distribution id (the wildcard distribution for *.<domain>)',
        );
      });
      return { kind: 'shared', ...s.done({ bucket, distributionId }) };
    }
    // dedicated
    const bucketTemplate = s.field(() =>
      parseBucketTemplate(inputs.required('bucket', 'a bucket name template with {number}, like pr-{number}-my-site (strategy dedicated)')),
    );
    const certificateArn = s.field(() => {
      const value = inputs.required('certificate-arn', 'an ACM certificate ARN in us-east-1 (strategy dedicated)');
      if (!CERTIFICATE.test(value))
        throw new InputError(
          'certificate-arn',
          'must be an ACM certificate ARN in us-east-1, like arn:aws:acm:us-east-1:123456789012:certificate/<uuid> (CloudFront only uses certificates from us-east-1)',
          value,
        );
      return value;
    });
    const hostedZoneId = s.field(() => {
      const value = inputs
        .required('hosted-zone-id', 'the Route 53 hosted zone id of the domain (strategy dedicated)')
        .replace(/^\/hostedzone\//, '');
      if (!HOSTED_ZONE.test(value))
        throw new InputError('hosted-zone-id', 'must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ', value);
      return value;
    });
    const priceClass = s.field(() => {
      const value = inputs.get('price-class').trim();
      if (!PRICE_CLASSES.includes(value)) throw new InputError('price-class', `must be one of ${PRICE_CLASSES.join(', ')}`, value);
      return value;
    });
    return { kind: 'dedicated', ...s.done({ bucketTemplate, certificateArn, hostedZoneId, priceClass }) };
  });
  const numberInput = inputs.optional('pr-number');
  const number = c.field(() => {
    if (numberInput !== undefined) return parseNumber(numberInput);
    if (context.pullNumber !== undefined) return context.pullNumber;
    if (command.value === 'deploy' || command.value === 'cleanup') {
      throw new InputError(
        'pr-number',
        `is required when the event (${context.eventName || 'none'}) carries no pull request: the PR number, like 42`,
      );
    }
    return undefined;
  });
  const shaInput = inputs.optional('head-sha');
  const headSha = c.field(() => {
    if (shaInput === undefined) return numberInput === undefined ? context.headSha : undefined;
    const value = shaInput.toLowerCase();
    if (!SHA.test(value)) throw new InputError('head-sha', 'must be a full commit id: 40 (or 64) hexadecimal characters', shaInput);
    return value;
  });
  const sourceDir = c.field(() =>
    command.value === 'deploy' ? parseSourceDir(inputs.required('source', 'the build directory to publish'), cwd) : undefined,
  );
  const githubToken = c.field(() =>
    inputs.required('github-token', 'a token that may read pull requests and write comments and deployments (default: github.token)'),
  );
  const comment = c.field(() => parseBoolean('comment', inputs.get('comment')));
  const deployment = c.field(() => parseBoolean('deployment', inputs.get('deployment')));
  const expireAfterMs = c.field(() => parseDuration('expire-after', inputs.get('expire-after')));
  const dryRun = c.field(() => parseBoolean('dry-run', inputs.get('dry-run')));
  const cacheControl = c.field(() => parseGlobRules('cache-control', inputs.get('cache-control'), cacheControlProblem));
  const exclude = c.field(() => parseGlobList('exclude', inputs.get('exclude')));
  const concurrency = c.field(() => parseInteger('concurrency', inputs.get('concurrency'), 1, 256));
  const router = c.field(() => {
    const value = inputs.optional('router');
    if (value === undefined) return undefined;
    const router = parseRouter('router', value);
    if (strategy.value?.kind === 'dedicated' && STORE_ARN.test(router))
      throw new InputError(
        'router',
        "must be the router's name with strategy dedicated (each preview's distribution runs its function, found by name)",
        value,
      );
    return router;
  });
  const repo = c.field(() => {
    if (!context.repo)
      throw new InputError(
        'GITHUB_REPOSITORY',
        'must be set to owner/name (the runner sets it; from a laptop, export it): previews are tagged with and found by their repository',
      );
    return context.repo;
  });
  const v = c.done({
    command,
    strategy,
    domain,
    repo,
    number,
    headSha,
    sourceDir,
    githubToken,
    comment,
    deployment,
    expireAfterMs,
    dryRun,
    cacheControl,
    exclude,
    concurrency,
    router,
  });
  const run: PreviewRun = {
    strategy: v.strategy,
    domain: v.domain,
    repo: v.repo,
    ...(v.headSha !== undefined ? { headSha: v.headSha } : {}),
    guardHeadSha: shaInput !== undefined,
    comment: v.comment,
    deployment: v.deployment,
    expireAfterMs: v.expireAfterMs,
    dryRun: v.dryRun,
    cacheControl: v.cacheControl,
    exclude: v.exclude,
    concurrency: v.concurrency,
    limits: PREVIEW_LIMITS,
    ...(context.runUrl ? { runUrl: context.runUrl } : {}),
    ...(context.runId ? { runId: context.runId } : {}),
    ...(context.job ? { job: context.job } : {}),
    ...(context.step ? { step: context.step } : {}),
    serverUrl: context.serverUrl,
    ...(v.router ? { router: v.router } : {}),
  };
  return { ...requestFor(v.command, run, v.number, v.sourceDir), githubToken: v.githubToken };
}

/** The command's request: deploy and cleanup have their PR (and deploy its build), which the parsing above required. */
function requestFor(command: PreviewCommand, run: PreviewRun, number: number | undefined, sourceDir: string | undefined): PreviewRequest {
  switch (command) {
    case 'deploy':
      return { ...run, command, number: present(number, 'pr-number'), sourceDir: present(sourceDir, 'source') };
    case 'cleanup':
      return { ...run, command, number: present(number, 'pr-number') };
    case 'sweep':
      return { ...run, command, ...(number !== undefined ? { number } : {}) };
  }
}

/** A value the parsing above required for this command (it reported the input's problem otherwise). */
function present<T>(value: T | undefined, input: string): T {
  if (value === undefined) throw new InputError(input, 'is required for this command');
  return value;
}
