// A pull request's preview from start to end: deploy (upload, invalidate, wait until live, then
// tell the PR), cleanup (remove, then tell the PR), and the sweep for what a missed event left.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../aws/errors.js';
import { invalidate, type DistributionOutcome } from '../cloudfront/invalidations.js';
import { collapsePaths, normalisePaths } from '../cloudfront/invalidation-paths.js';
import { repoName, type GitHub } from '../github/client.js';
import { upsertStickyComment, type StickyComment } from '../github/comments.js';
import { createDeployment, deactivateEnvironment, setDeploymentStatus } from '../github/deployments.js';
import { getPull, type PullRequest } from '../github/pulls.js';
import type { Logger } from '../log/logger.js';
import { syncSite, type SyncResult, type SyncSettings } from '../s3-sync/sync.js';
import type { PreviewRouter } from './strategies/router.js';
import type { Clock } from '../util/clock.js';
import { PartialFailure } from '../util/partial-failure.js';
import { removedComment, deployedComment } from './comment.js';
import { commentMarker, previewEnvironment } from './naming.js';
import type { CleanupRequest, DeployRequest, PreviewRun, SweepRequest } from './request.js';
import type { FoundPreview, PreviewSite, PreviewStore, Removal } from './store.js';

export interface PreviewDeps {
  store: PreviewStore;
  /** The edge router previews are routed by (shared strategy), when one is configured. */
  router?: PreviewRouter;
  s3: S3Client;
  cloudfront: CloudFrontClient;
  github: GitHub;
  log: Logger;
  clock: Clock;
}

export type PreviewStatus = 'deployed' | 'skipped' | 'removed' | 'already-removed' | 'pending-removal' | 'swept' | 'planned' | 'failed';

export interface DeployOutcome {
  status: PreviewStatus;
  site?: PreviewSite;
  headSha?: string;
  skippedBecause?: string;
  sync?: SyncResult;
  invalidation?: DistributionOutcome;
  comment?: StickyComment;
  deploymentId?: number;
  /** The GitHub environment of the deployment. */
  environment?: string;
  deployedAt?: string;
  error?: string;
}

/** Is the PR still what this build is for? A closed PR, or one that moved on, gets no preview. */
function skipReason(pull: PullRequest, request: DeployRequest): string | undefined {
  if (pull.state !== 'open') return `PR #${pull.number} is closed: a preview now would outlive its cleanup`;
  if (request.guardHeadSha && request.headSha && pull.headSha !== request.headSha) {
    return `PR #${pull.number}'s head is now ${pull.headSha.slice(0, 12)}, not ${request.headSha.slice(0, 12)} this build was made from: the newer push deploys its own preview`;
  }
  return undefined;
}

export async function deployPreview(request: DeployRequest, deps: PreviewDeps): Promise<DeployOutcome> {
  const { store, github, log, clock } = deps;
  const pull = await getPull(github, request.repo, request.number);
  const skippedBecause = skipReason(pull, request);
  if (skippedBecause) {
    log.warning(`Nothing deployed: ${skippedBecause}.`);
    return { status: 'skipped', skippedBecause, headSha: request.headSha ?? pull.headSha };
  }
  const headSha = request.headSha ?? pull.headSha;
  const environment = previewEnvironment(request.number);
  const outcome: DeployOutcome = { status: request.dryRun ? 'planned' : 'deployed', headSha };

  if (request.deployment && !request.dryRun) {
    outcome.environment = environment;
    outcome.deploymentId = await createDeployment(github, request.repo, {
      ref: headSha,
      environment,
      description: `Preview of PR #${request.number}`,
    });
    await setDeploymentStatus(github, request.repo, outcome.deploymentId, 'in_progress', {
      logUrl: request.runUrl,
      description: 'Deploying the preview',
    });
  }
  try {
    const site = await store.prepare(request.number, request.dryRun);
    outcome.site = site;
    const syncSettings: SyncSettings = {
      source: { kind: 'local', dir: request.sourceDir },
      bucket: site.bucket,
      prefix: site.prefix,
      // A preview's prefix is Slipway's alone: whatever is there and not in the build goes.
      delete: 'all',
      framework: 'auto',
      headers: [],
      cacheControl: request.cacheControl,
      contentType: [],
      exclude: request.exclude,
      keep: [],
      staleGraceMs: request.limits.staleGraceMs,
      concurrency: request.concurrency,
      dryRun: request.dryRun,
      ...(request.runId ? { runId: request.runId } : {}),
      ...(request.runUrl ? { owner: `workflow run ${request.runUrl}` } : {}),
    };
    // With the edge router: the preview's routing table is checked before anything is uploaded.
    const table = deps.router ? await deps.router.prepare(syncSettings) : undefined;
    outcome.sync = await syncSite(syncSettings, { client: deps.s3, log });
    if (request.dryRun) return outcome;

    const paths = collapsePaths(
      normalisePaths(outcome.sync.changedPaths.map((p) => site.pathPrefix + p)),
      request.limits.maxInvalidationPaths,
    );
    if (paths.length > 0) {
      const [result] = await invalidate(
        {
          distributionIds: [site.distributionId],
          paths,
          wait: true,
          timeoutMs: request.limits.invalidationTimeoutMs,
          ...(request.runId
            ? { run: { repository: repoName(request.repo), runId: request.runId, job: request.job ?? '', step: request.step ?? '' } }
            : {}),
        },
        { client: deps.cloudfront, log, clock },
      );
      outcome.invalidation = result;
    }
    if (deps.router && table)
      await log.group(`Route ${site.url} through ${deps.router.router}`, () =>
        deps.router!.publish(table, site.bucket, site.prefix, site.url),
      );
    await store.ready(site);
    outcome.deployedAt = new Date(clock.now()).toISOString();

    // Only now is the link live: tell the PR.
    if (request.comment) {
      const body = deployedComment({
        site,
        headSha,
        commitUrl: `${request.serverUrl}/${repoName(request.repo)}/commit/${headSha}`,
        deployedAt: outcome.deployedAt,
        runUrl: request.runUrl,
        sync: outcome.sync,
      });
      outcome.comment = await upsertStickyComment(github, request.repo, request.number, commentMarker(request.domain), body, {
        createIfMissing: true,
      });
    }
    if (outcome.deploymentId !== undefined) {
      await setDeploymentStatus(github, request.repo, outcome.deploymentId, 'success', {
        environmentUrl: site.url,
        logUrl: request.runUrl,
        description: `Preview of ${headSha.slice(0, 7)} is live`,
      });
    }
    return outcome;
  } catch (error) {
    outcome.status = 'failed';
    outcome.error = describeError(error);
    if (outcome.deploymentId !== undefined) {
      await setDeploymentStatus(github, request.repo, outcome.deploymentId, 'failure', {
        logUrl: request.runUrl,
        description: 'The preview could not be deployed',
      }).catch((e: unknown) => {
        log.warning(`Could not mark deployment ${outcome.deploymentId} failed: ${describeError(e)}`);
      });
    }
    throw new PartialFailure(outcome.error, outcome);
  }
}

export interface CleanupOutcome {
  status: PreviewStatus;
  number: number;
  removal?: Removal;
  comment?: StickyComment;
  deploymentsDeactivated: number;
  error?: string;
}

/** Removes one PR's preview and tells the PR. Removing a preview that is already gone succeeds. */
export function cleanupPreview(request: CleanupRequest, deps: PreviewDeps): Promise<CleanupOutcome> {
  return removePreview(request, request.number, deps, 'the pull request was closed');
}

/** `outcome` is filled in as the steps go, so a caller that passes one still has it when this fails. */
async function removePreview(
  run: PreviewRun,
  number: number,
  deps: PreviewDeps,
  why: string,
  outcome: CleanupOutcome = { status: 'planned', number, deploymentsDeactivated: 0 },
): Promise<CleanupOutcome> {
  try {
    const removal = await deps.store.remove(number, run.dryRun);
    if (deps.router && removal.found) removal.steps.push(await deps.router.remove(number, run.dryRun));
    outcome.removal = removal;
    if (run.dryRun) return outcome;
    outcome.status = removal.pendingDistribution ? 'pending-removal' : removal.found ? 'removed' : 'already-removed';
    if (run.comment) {
      const body = removedComment({ number, why, at: new Date(deps.clock.now()).toISOString(), runUrl: run.runUrl });
      outcome.comment = await upsertStickyComment(deps.github, run.repo, number, commentMarker(run.domain), body, {
        createIfMissing: false,
      });
    }
    if (run.deployment) {
      outcome.deploymentsDeactivated = await deactivateEnvironment(
        deps.github,
        run.repo,
        previewEnvironment(number),
        'The preview was removed',
      );
    }
    return outcome;
  } catch (error) {
    outcome.status = 'failed';
    outcome.error = describeError(error);
    throw new PartialFailure(outcome.error, outcome);
  }
}

export interface SweptPreview extends FoundPreview {
  pull?: PullRequest;
  /** remove (closed, idle or pending removal), keep, or unknown (GitHub did not say). */
  decision: 'remove' | 'keep' | 'unknown';
  reason: string;
  cleanup?: CleanupOutcome;
}

export interface SweepOutcome {
  status: PreviewStatus;
  previews: SweptPreview[];
  error?: string;
}

/** Finds every preview of this repository and removes those of closed PRs, idle PRs and half-removed ones. */
export async function sweepPreviews(run: SweepRequest, deps: PreviewDeps): Promise<SweepOutcome> {
  const { log, clock } = deps;
  const { expireAfterMs } = run;
  const outcome: SweepOutcome = { status: run.dryRun ? 'planned' : 'swept', previews: [] };
  const found = await deps.store.list();
  log.info(`${found.length} previews of ${repoName(run.repo)} found`);
  for (const preview of found) {
    const swept: SweptPreview = { ...preview, decision: 'keep', reason: '' };
    outcome.previews.push(swept);
    try {
      swept.pull = await getPull(deps.github, run.repo, preview.number);
    } catch (error) {
      // Never remove what GitHub could not vouch for (a token without access, an outage).
      swept.decision = 'unknown';
      swept.reason = `GitHub did not answer for PR #${preview.number}: ${describeError(error)}`;
      log.warning(swept.reason);
      continue;
    }
    const idleMs = clock.now() - Date.parse(swept.pull.updatedAt);
    if (swept.pull.state === 'closed') Object.assign(swept, { decision: 'remove', reason: 'closed' });
    else if (expireAfterMs > 0 && idleMs > expireAfterMs)
      Object.assign(swept, { decision: 'remove', reason: `open, idle since ${swept.pull.updatedAt}` });
    else if (preview.pendingRemoval) Object.assign(swept, { decision: 'remove', reason: 'removal was left pending' });
    else swept.reason = 'open';
  }
  const failures: string[] = [];
  for (const swept of outcome.previews.filter((p) => p.decision === 'remove')) {
    const why =
      swept.reason === 'closed'
        ? 'the pull request was closed'
        : swept.reason.startsWith('open, idle')
          ? 'the pull request was idle too long'
          : 'the earlier removal is finished';
    swept.cleanup = { status: 'planned', number: swept.number, deploymentsDeactivated: 0 };
    try {
      await removePreview(run, swept.number, deps, why, swept.cleanup);
    } catch (error) {
      failures.push(`PR #${swept.number}: ${describeError(error)}`);
    }
  }
  if (failures.length > 0) {
    outcome.status = 'failed';
    outcome.error = `${failures.length} previews could not be removed: ${failures.join('; ')}`;
    throw new PartialFailure(outcome.error, outcome);
  }
  return outcome;
}
