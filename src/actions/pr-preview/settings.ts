// pr-preview's inputs and the triggering event, parsed and validated into one typed settings
// object before any request.
import type { Repo } from '../../lib/github/client.js';
import { runContextFrom, type RunContext } from '../../lib/github/event.js';
import { InputCollector, InputError } from '../../inputs/errors.js';
import { cacheControlProblem, parseBoolean, parseBucketName, parseDuration, parseGlobList, parseGlobRules, parseInteger, type GlobRule } from '../../inputs/parse.js';
import { InputReader, type ActionEnvironment, type RawInputs } from '../../inputs/reader.js';
import { parseOneDistributionId } from '../../inputs/cloudfront.js';
import { parseLocalDir } from '../../inputs/files.js';
import { parseRouter } from '../../lib/router/site-settings.js';
import { STORE_ARN } from '../../lib/router/store.js';

export type PreviewCommand = 'deploy' | 'cleanup' | 'sweep';

export type StrategySettings =
  | { kind: 'shared'; bucket: string; distributionId: string }
  | { kind: 'dedicated'; bucketTemplate: string; certificateArn: string; hostedZoneId: string; priceClass: string };

export interface PrPreviewSettings {
  command: PreviewCommand;
  strategy: StrategySettings;
  domain: string;
  repo: Repo;
  /** deploy and cleanup: the pull request. */
  number?: number;
  headSha?: string;
  /** head-sha was given as an input: the PR's head must still be it. */
  guardHeadSha: boolean;
  /** deploy: the build directory. */
  sourceDir?: string;
  githubToken: string;
  comment: boolean;
  deployment: boolean;
  expireAfterMs: number;
  dryRun: boolean;
  cacheControl: GlobRule[];
  exclude: string[];
  concurrency: number;
  runUrl?: string;
  runId?: string;
  job?: string;
  step?: string;
  serverUrl: string;
  /** Shared strategy: the edge router's name or store ARN. */
  router?: string;
}

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
  if (!HOSTNAME.test(value)) throw new InputError('domain', 'must be a DNS name like app.example.com (no scheme, no path, no wildcard); previews live at pr-{number}.<domain>', raw);
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
    throw new InputError('bucket', `${form}, which stays a valid S3 bucket name (3–63 lower-case letters, digits, dots or hyphens) for any PR number`, raw, { cause: error });
  }
  return value;
}

function parseNumber(raw: string): number {
  const value = raw.trim();
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InputError('pr-number', 'must be a pull request number: a positive whole number like 42', raw);
  return Number(value);
}

function parseSourceDir(raw: string, cwd: string): string {
  if (/^s3:\/\//i.test(raw)) throw new InputError('source', 'must be a local build directory (a preview is uploaded from the build, not promoted)', raw);
  return parseLocalDir('source', raw, cwd);
}

/** `context`: what the triggering event says (read from the environment's GITHUB_EVENT_PATH unless given). */
export function parsePrPreviewSettings(raw: RawInputs, env: ActionEnvironment, context: RunContext = runContextFrom(env.vars)): PrPreviewSettings {
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
  const strategy = c.from({ strategyName }, ({ strategyName }): StrategySettings => {
    const s = new InputCollector();
    if (strategyName === 'shared') {
      const bucket = s.field(() => parseBucketName('bucket', inputs.required('bucket', 'the previews bucket (strategy shared)')));
      const distributionId = s.field(() => {
        if (inputs.optional('distribution-id') === undefined) throw new InputError('distribution-id', 'is required with strategy shared: the id of the wildcard distribution for *.<domain>');
        return parseOneDistributionId('distribution-id', inputs.get('distribution-id'), 'must be one distribution id (the wildcard distribution for *.<domain>)');
      });
      return { kind: 'shared', ...s.done({ bucket, distributionId }) };
    }
    // dedicated
    const bucketTemplate = s.field(() => parseBucketTemplate(inputs.required('bucket', 'a bucket name template with {number}, like pr-{number}-my-site (strategy dedicated)')));
    const certificateArn = s.field(() => {
      const value = inputs.required('certificate-arn', 'an ACM certificate ARN in us-east-1 (strategy dedicated)');
      if (!CERTIFICATE.test(value)) throw new InputError('certificate-arn', 'must be an ACM certificate ARN in us-east-1, like arn:aws:acm:us-east-1:123456789012:certificate/<uuid> (CloudFront only uses certificates from us-east-1)', value);
      return value;
    });
    const hostedZoneId = s.field(() => {
      const value = inputs.required('hosted-zone-id', 'the Route 53 hosted zone id of the domain (strategy dedicated)').replace(/^\/hostedzone\//, '');
      if (!HOSTED_ZONE.test(value)) throw new InputError('hosted-zone-id', 'must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ', value);
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
      throw new InputError('pr-number', `is required when the event (${context.eventName || 'none'}) carries no pull request: the PR number, like 42`);
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
  const sourceDir = c.field(() => (command.value === 'deploy' ? parseSourceDir(inputs.required('source', 'the build directory to publish'), cwd) : undefined));
  const githubToken = c.field(() => inputs.required('github-token', 'a token that may read pull requests and write comments and deployments (default: github.token)'));
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
    if (strategy.value?.kind === 'dedicated' && STORE_ARN.test(router)) throw new InputError('router', "must be the router's name with strategy dedicated (each preview's distribution runs its function, found by name)", value);
    return router;
  });
  const repo = c.field(() => {
    if (!context.repo) throw new InputError('GITHUB_REPOSITORY', 'must be set to owner/name (the runner sets it; from a laptop, export it): previews are tagged with and found by their repository');
    return context.repo;
  });
  const v = c.done({ command, strategy, domain, repo, number, headSha, sourceDir, githubToken, comment, deployment, expireAfterMs, dryRun, cacheControl, exclude, concurrency, router });
  return {
    command: v.command,
    strategy: v.strategy,
    domain: v.domain,
    repo: v.repo,
    ...(v.number !== undefined ? { number: v.number } : {}),
    ...(v.headSha !== undefined ? { headSha: v.headSha } : {}),
    guardHeadSha: shaInput !== undefined,
    ...(v.sourceDir !== undefined ? { sourceDir: v.sourceDir } : {}),
    githubToken: v.githubToken,
    comment: v.comment,
    deployment: v.deployment,
    expireAfterMs: v.expireAfterMs,
    dryRun: v.dryRun,
    cacheControl: v.cacheControl,
    exclude: v.exclude,
    concurrency: v.concurrency,
    ...(context.runUrl ? { runUrl: context.runUrl } : {}),
    ...(context.runId ? { runId: context.runId } : {}),
    ...(context.job ? { job: context.job } : {}),
    ...(context.step ? { step: context.step } : {}),
    serverUrl: context.serverUrl,
    ...(v.router ? { router: v.router } : {}),
  };
}
