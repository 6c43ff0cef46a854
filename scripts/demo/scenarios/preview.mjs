// Preview of PR 42 on the shared wildcard distribution: opened → deploy, closed → cleanup.
import { indent } from '../steps.mjs';
import { PREVIEW_DOMAIN, PREVIEWS, WEB_REPO } from '../world.mjs';

const PR = 42;
const PR_HEAD = '4242c0ffee4242c0ffee4242c0ffee4242c0ffee';
const OPENED = { name: `preview: PR ${PR} opened`, action: 'pr-preview' };
const CLOSED = { name: `preview: PR ${PR} closed`, action: 'pr-preview' };

/** The pull_request event of PR 42. @param {string} action @param {boolean} merged */
const pullEvent = (action, merged) => ({
  action,
  number: PR,
  pull_request: {
    number: PR,
    state: action === 'closed' ? 'closed' : 'open',
    merged,
    head: { sha: PR_HEAD, ref: 'team-page' },
    base: { ref: 'main' },
  },
});

/** @param {string} title @param {{ user: { login: string }, body: string }[]} comments */
function printComments(title, comments) {
  console.log(`\n  ${title} (${comments.length}):`);
  for (const c of comments) console.log(indent(`${c.user.login}: ${c.body}`));
}

/** @type {import('../harness.mjs').Scenario} */
export default {
  section: 'preview',
  title: `Preview of PR #${PR} (pull_request opened, then closed)`,
  steps: [OPENED, CLOSED],
  async run({ step, check, workflowRun, invalidations, objects, distributions, site, github }) {
    github.addPull(WEB_REPO, { number: PR, headSha: PR_HEAD, title: 'Team page', headRef: 'team-page' });
    const shared = { strategy: 'shared', domain: PREVIEW_DOMAIN, bucket: PREVIEWS, 'distribution-id': distributions.previews };
    const opened = await step(
      OPENED,
      { ...shared, command: 'auto', source: site },
      workflowRun(WEB_REPO, 'pull_request', pullEvent('opened', false)),
    );
    const afterDeploy = Object.keys(await objects(PREVIEWS, `pr-${PR}/`)).filter((k) => !k.includes('/.slipway/'));
    const commentsAfterDeploy = github.comments(WEB_REPO, PR);
    printComments("the PR's comments", commentsAfterDeploy);
    check(
      `pr-${PR}/ holds the build`,
      opened.outputs.status === 'deployed' && afterDeploy.length > 0,
      `${afterDeploy.length} objects under s3://${PREVIEWS}/pr-${PR}/`,
    );

    github.setPull(WEB_REPO, PR, { state: 'closed', merged: true });
    const closed = await step(CLOSED, { ...shared, command: 'auto' }, workflowRun(WEB_REPO, 'pull_request', pullEvent('closed', true)));
    const afterCleanup = Object.keys(await objects(PREVIEWS, `pr-${PR}/`));
    const comments = github.comments(WEB_REPO, PR);
    printComments("the PR's comments", comments);
    const deployments = github
      .deployments(WEB_REPO)
      .map((d) => ({ id: d.id, environment: d.environment, sha: d.sha, statuses: github.statusesOf(WEB_REPO, d.id).map((s) => s.state) }));
    console.log('  deployments:');
    for (const d of deployments) console.log(`    #${d.id} ${d.environment} @ ${d.sha.slice(0, 7)}: ${d.statuses.join(' → ')}`);
    check(
      'exactly one comment, edited in place',
      comments.length === 1 && commentsAfterDeploy.length === 1 && comments[0]?.id === commentsAfterDeploy[0]?.id,
    );
    check(
      `pr-${PR}/ is empty after the cleanup`,
      closed.outputs.status === 'removed' && afterCleanup.length === 0,
      `${afterCleanup.length} objects left`,
    );
    return {
      url: opened.outputs.url,
      objectsAfterDeploy: afterDeploy.length,
      objectsAfterCleanup: afterCleanup.length,
      comments: comments.map((c) => ({ id: c.id, login: c.user.login, body: c.body })),
      commentsAfterDeploy: commentsAfterDeploy.map((c) => ({ id: c.id, login: c.user.login, body: c.body })),
      deployments,
      invalidationPaths: (await invalidations(distributions.previews)).map((i) => i.paths),
    };
  },
};
