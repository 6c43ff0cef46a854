import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../../src/drivers/actions-runner.js';
import { createCloudFrontClient } from '../../../src/lib/aws/cloudfront-client.js';
import { createS3Client } from '../../../src/lib/aws/s3-client.js';
import { deployStaticOutputs, deployStaticSummary } from '../../../src/actions/deploy-static/report.js';
import { parseDeployStaticSettings } from '../../../src/actions/deploy-static/settings.js';
import { deployWithRouter } from '../../../src/lib/router/routed-deploy.js';
import { routedSummary } from '../../../src/actions/deploy-static/router-report.js';
import { deployRelease } from '../../../src/lib/releases/deploy.js';
import { releaseOutputs, releaseSummary } from '../../../src/actions/deploy-static/release-report.js';
import { createKvsClient } from '../../../src/lib/router/store.js';
import { PartialFailure } from '../../../src/lib/util/partial-failure.js';
import { syncSite, SyncFailed, type SyncResult } from '../../../src/lib/s3-sync/sync.js';

/** The full list of changed paths, in the runner's temporary folder, for invalidate's paths-file. */
function writeChangedPaths(result: SyncResult): string {
  if (result.dryRun) return '';
  const file = join(mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'slipway-changed-paths-')), 'changed-paths.json');
  writeFileSync(file, JSON.stringify(result.changedPaths));
  return file;
}

await runAction(async (inputs, log) => {
  const settings = parseDeployStaticSettings(inputs, process.cwd(), process.env.GITHUB_RUN_ID);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const client = createS3Client(settings.aws);
  const outcome = (result: SyncResult, routed = '') => ({ outputs: deployStaticOutputs(result, writeChangedPaths(result)), summary: deployStaticSummary(settings, result) + routed });
  const deps = { s3: client, kvs: createKvsClient(), cloudfront: createCloudFrontClient(), log };
  if (settings.mode === 'releases' && settings.routing) {
    const provenance = { ...(process.env.GITHUB_SHA ? { commit: process.env.GITHUB_SHA } : {}), ...(settings.owner ? { run: settings.owner } : {}), ...(process.env.GITHUB_ACTOR ? { actor: process.env.GITHUB_ACTOR } : {}) };
    const released = await deployRelease(settings, settings.routing, deps, provenance);
    return { outputs: releaseOutputs(released), summary: releaseSummary(settings.routing.site, released) };
  }
  try {
    const { sync: result, routed } = await deployWithRouter(settings, settings.routing, deps, () => syncSite(settings, { client, log }));
    return outcome(result, routedSummary(settings.routing, routed));
  } catch (error) {
    if (error instanceof SyncFailed) throw new PartialFailure(error.message, outcome(error.result));
    throw error;
  }
});
