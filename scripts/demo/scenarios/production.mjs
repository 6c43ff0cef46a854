// Web → production, by hand: promote exactly what staging serves (server-side copy), invalidate.
// Production already serves the release before (build 1), so the promotion has something to
// replace and the invalidation something to do.
import { join } from 'node:path';
import { PRODUCTION, STAGING, WEB_REPO } from '../world.mjs';

const SERVES = { name: 'production: the release it serves (build 1)', action: 'deploy-static' };
const PROMOTE = { name: 'production: promote staging (build 2)', action: 'deploy-static' };
const INVALIDATE = { name: 'production: invalidate', action: 'invalidate' };

/** @type {import('../harness.mjs').Scenario} */
export default {
  section: 'production',
  title: `Web → production (workflow_dispatch: promote s3://${STAGING}, invalidate)`,
  steps: [SERVES, PROMOTE, INVALIDATE],
  async run({ step, check, passed, workflowRun, invalidations, objects, distributions, root }) {
    const earlier = workflowRun(WEB_REPO, 'workflow_dispatch', { ref: 'refs/heads/main', inputs: {} });
    await step(SERVES, { source: join(root, 'demo/site'), bucket: PRODUCTION }, earlier);
    if (!passed('staging')) throw new Error('staging did not deploy: nothing to promote');
    const dispatch = workflowRun(WEB_REPO, 'workflow_dispatch', { ref: 'refs/heads/main', inputs: {} });
    const promoted = await step(PROMOTE, { source: `s3://${STAGING}`, bucket: PRODUCTION }, dispatch);
    const invalidated = await step(
      INVALIDATE,
      { 'distribution-id': distributions.production, paths: promoted.outputs['changed-paths'] ?? '' },
      dispatch,
    );
    // Slipway's own record (.slipway/manifest.json) is per bucket; the site is what must match.
    const siteIn = async (/** @type {string} */ bucket) =>
      Object.fromEntries(
        Object.entries(await objects(bucket))
          .filter(([key]) => !key.startsWith('.slipway/'))
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const staging = await siteIn(STAGING);
    const production = await siteIn(PRODUCTION);
    const same = JSON.stringify(staging) === JSON.stringify(production);
    check(
      'production holds the same objects as staging (keys, ETags, Content-Type, Cache-Control)',
      same,
      `${Object.keys(production).length} objects, ${promoted.outputs.uploaded ?? '?'} copied server-side`,
    );
    const stored = await invalidations(distributions.production);
    check(
      'production invalidated exactly what the promotion replaced',
      invalidated.outputs.paths === promoted.outputs['changed-paths'] && stored.length === 1,
      invalidated.outputs.paths ?? '',
    );
    return { staging, production, promotedOutputs: promoted.outputs, invalidationPaths: stored.map((i) => i.paths) };
  },
};
