// deploy-static: a build folder (or a promoted S3 prefix) to S3, mirrored in place or staged as an atomic
// release behind the edge router.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { defineAction, type Runtime } from '../definition.js';
import type { ActionEnvironment } from '../../inputs/reader.js';
import { createS3Client } from '../../lib/aws/s3-client.js';
import type { ReleaseDeployResult } from '../../lib/releases/deploy.js';
import type { VerificationFailed } from '../../lib/releases/verify.js';
import type { RoutedDeploy } from '../../lib/router/routed-deploy.js';
import { syncSite, SyncFailed, type SyncResult } from '../../lib/s3-sync/sync.js';
import { PartialFailure } from '../../lib/util/partial-failure.js';
import { releaseOutputs, releaseSummary } from './release-report.js';
import { verificationFailedSummary } from '../../lib/releases/verify-report.js';
import { deployStaticOutputs, deployStaticSummary } from './report.js';
import { routedSummary } from './router-report.js';
import { parseDeployStaticSettings, type DeployStaticSettings } from './settings.js';

/** A mirror deploy (the sync, and the router's table when there is one), or a release. */
export type DeployStaticResult =
  | { mode: 'mirror'; sync: SyncResult; routed?: RoutedDeploy; changedPathsFile: string }
  | { mode: 'release'; site: string; release: ReleaseDeployResult }
  | { mode: 'unverified'; site: string; failure: VerificationFailed };

/**
 * The S3 client only: the CloudFront and KeyValueStore clients and the router and release code are
 * loaded by ./routed.ts when the inputs name a router, so a plain mirror deploy does not pay for them
 * at start-up.
 */
export interface Clients {
  s3: S3Client;
}

/**
 * The full list of changed paths, for invalidate's paths-file: a workflow step hands it to later steps
 * in the runner's temporary folder; a command has no later step ('').
 */
function handOffChangedPaths(result: SyncResult, env: ActionEnvironment): string {
  if (result.dryRun || env.as !== 'step') return '';
  const file = join(mkdtempSync(join(env.vars.RUNNER_TEMP || tmpdir(), 'slipway-changed-paths-')), 'changed-paths.json');
  writeFileSync(file, JSON.stringify(result.changedPaths));
  return file;
}

async function mirror(settings: DeployStaticSettings, deps: Clients & Runtime): Promise<DeployStaticResult> {
  const mirrored = (sync: SyncResult, routed?: RoutedDeploy): DeployStaticResult => ({
    mode: 'mirror',
    sync,
    ...(routed ? { routed } : {}),
    changedPathsFile: handOffChangedPaths(sync, deps.env),
  });
  const sync = () => syncSite(settings, { client: deps.s3, log: deps.log });
  try {
    if (!settings.routing) return mirrored(await sync());
    const { syncRouted } = await import(/* webpackMode: "eager" */ './routed.js');
    const { sync: result, routed } = await syncRouted(settings, settings.routing, deps, sync);
    return mirrored(result, routed);
  } catch (error) {
    if (error instanceof SyncFailed) throw new PartialFailure(error.message, mirrored(error.result), { cause: error });
    throw error;
  }
}

function outputs(result: DeployStaticResult) {
  switch (result.mode) {
    case 'release':
      return releaseOutputs(result.release);
    case 'unverified':
      return {};
    case 'mirror':
      return deployStaticOutputs(result.sync, result.changedPathsFile);
  }
}

function summary(settings: DeployStaticSettings, result: DeployStaticResult): string {
  switch (result.mode) {
    case 'release':
      return releaseSummary(result.site, result.release);
    case 'unverified':
      return verificationFailedSummary(result.site, result.failure.id, result.failure.report);
    case 'mirror':
      return deployStaticSummary(settings, result.sync) + routedSummary(settings.routing, result.routed);
  }
}

export const deployStatic = defineAction({
  name: 'deploy-static',
  settings: parseDeployStaticSettings,
  clients: (settings, env): Clients => ({ s3: createS3Client(settings.aws, env.vars) }),
  run: async (settings, deps): Promise<DeployStaticResult> => {
    const { routing } = settings;
    if (settings.mode === 'releases' && routing)
      return (await import(/* webpackMode: "eager" */ './routed.js')).release(settings, routing, deps);
    return mirror(settings, deps);
  },
  outputs: (_settings, result) => outputs(result),
  summary,
  examples: [
    'slipway deploy-static --source dist --bucket my-site-staging --dry-run',
    "slipway deploy-static --source dist --bucket my-site --prefix web --cache-control '*.png=public, max-age=86400'",
  ],
});
