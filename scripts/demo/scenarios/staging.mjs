// Web → staging: upload, invalidate what changed; then a one-file change from a fresh build.
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAGING, WEB_REPO } from '../world.mjs';

const DEPLOY_1 = { name: 'staging: deploy build 1', action: 'deploy-static' };
const INVALIDATE_1 = { name: 'staging: invalidate', action: 'invalidate' };
const DEPLOY_2 = { name: 'staging: deploy build 2 (one file changed)', action: 'deploy-static' };
const INVALIDATE_2 = { name: 'staging: invalidate changed paths', action: 'invalidate' };

/** @type {import('../harness.mjs').Scenario} */
export default {
  section: 'staging',
  title: 'Web → staging (push to main: upload to S3, invalidate CloudFront)',
  steps: [DEPLOY_1, INVALIDATE_1, DEPLOY_2, INVALIDATE_2],
  async run({ step, check, workflowRun, invalidations, objects, distributions, site }) {
    const push1 = workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'a1'.repeat(20) });
    const first = await step(DEPLOY_1, { source: site, bucket: STAGING }, push1);
    const inv1 = await step(INVALIDATE_1, { 'distribution-id': distributions.staging, paths: first.outputs['changed-paths'] ?? '' }, push1);

    editOnePageWithFreshMtimes(site);
    const push2 = workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'b2'.repeat(20) });
    const second = await step(DEPLOY_2, { source: site, bucket: STAGING }, push2);
    const inv2 = await step(
      INVALIDATE_2,
      { 'distribution-id': distributions.staging, paths: second.outputs['changed-paths'] ?? '' },
      push2,
    );

    const stored = await invalidations(distributions.staging);
    const newest = stored.find((i) => (JSON.parse(inv2.outputs['invalidation-ids'] ?? '{}')[distributions.staging] ?? []).includes(i.id));
    const changed = /** @type {string[]} */ (JSON.parse(second.outputs['changed-paths'] ?? '[]'));
    check(
      'build 2 uploaded only the edited page',
      second.outputs.uploaded === '1',
      `uploaded ${second.outputs.uploaded}, skipped ${second.outputs.skipped} despite new mtimes`,
    );
    check(
      'the second invalidation holds exactly the changed paths',
      newest !== undefined && JSON.stringify(newest.paths) === JSON.stringify([...changed].sort()),
      `${JSON.stringify(newest?.paths)} (of ${Object.keys(await objects(STAGING)).length} objects)`,
    );
    return {
      firstInvalidationPaths: inv1.outputs.paths,
      changedPaths: changed,
      invalidationPaths: newest?.paths ?? [],
      invalidationsStored: stored.length,
    };
  },
};

/** The next build: one page edited; the checkout and build give every file a new mtime. @param {string} site */
function editOnePageWithFreshMtimes(site) {
  const about = join(site, 'about/index.html');
  writeFileSync(about, readFileSync(about, 'utf8').replace('<h1>About</h1>', '<h1>About connect2</h1><p>Now with a team page.</p>'));
  const later = new Date(Date.now() + 60_000);
  for (const e of readdirSync(site, { withFileTypes: true, recursive: true }))
    if (e.isFile()) utimesSync(join(e.parentPath, e.name), later, later);
}
