// What a pr-preview command asks for. The action's settings parser produces exactly this (plus the
// token), and deploy, cleanup and sweep take it as it is: nothing copies it field by field on the
// way down, and every default is decided where the settings are parsed, none here.
import type { GlobRule } from '../../inputs/parse.js';
import type { Repo } from '../github/client.js';

export type PreviewCommand = 'deploy' | 'cleanup' | 'sweep';

export type PreviewStrategy =
  | { kind: 'shared'; bucket: string; distributionId: string }
  | { kind: 'dedicated'; bucketTemplate: string; certificateArn: string; hostedZoneId: string; priceClass: string };

/** How long and how much: fixed by the settings, used by the steps. */
export interface PreviewLimits {
  /** How long assets a new push no longer has are kept (someone may have the preview open). */
  staleGraceMs: number;
  /** Changed paths beyond this many collapse into wildcards before they are invalidated. */
  maxInvalidationPaths: number;
  /** How long an invalidation (deploy, or the shared strategy's cleanup) may take. */
  invalidationTimeoutMs: number;
  /** The dedicated strategy's waits for CloudFront and Route 53 (see DedicatedStoreDeps). */
  dedicated: { deployTimeoutMs: number; removalWaitMs: number; pollMs: number };
}

/** What every command of a run shares. */
export interface PreviewRun {
  strategy: PreviewStrategy;
  domain: string;
  repo: Repo;
  /** The commit the build came from (default: the event's PR head). */
  headSha?: string;
  /** head-sha was given as an input: the PR's head must still be it. */
  guardHeadSha: boolean;
  comment: boolean;
  deployment: boolean;
  /** sweep: also remove previews of open PRs idle this long (0: never). */
  expireAfterMs: number;
  dryRun: boolean;
  cacheControl: GlobRule[];
  exclude: string[];
  concurrency: number;
  limits: PreviewLimits;
  /** This run's log, linked from statuses and the comment. */
  runUrl?: string;
  runId?: string;
  job?: string;
  step?: string;
  /** https://github.com, or the GitHub Enterprise server. */
  serverUrl: string;
  /** The edge router's name or store ARN, when previews are routed by it. */
  router?: string;
}

export interface DeployRequest extends PreviewRun {
  command: 'deploy';
  number: number;
  /** The build directory. */
  sourceDir: string;
}

export interface CleanupRequest extends PreviewRun {
  command: 'cleanup';
  number: number;
  sourceDir?: undefined;
}

export interface SweepRequest extends PreviewRun {
  command: 'sweep';
  /** A sweep is of every preview: a PR the event names is not used. */
  number?: number;
  sourceDir?: undefined;
}

export type PreviewRequest = DeployRequest | CleanupRequest | SweepRequest;
