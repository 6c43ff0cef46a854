// Web as releases: staging and production as releases of one bucket behind one router — deploy
// staging twice (each staged, then activated by one pointer write), promote staging's release to
// production (one pointer write, nothing copied), roll staging back. It starts its own
// KeyValueStore stand-in.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { WEB_REPO } from '../world.mjs';
import { startFakeKvs } from '../../../stand-ins/fake-kvs.mjs';

const DEPLOY_V1 = { name: 'web staging: deploy v1 as a release', action: 'deploy-static' };
const DEPLOY_V2 = { name: 'web staging: deploy v2 as a release', action: 'deploy-static' };
const PROMOTE = { name: 'web production: promote staging → production', action: 'release' };
const ROLLBACK = { name: 'web staging: roll back to v1', action: 'release' };

/** A small SPA build: the page and its hashed entry chunk change with `version`, a vendor chunk does not. */
function build(/** @type {number} */ version) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-demo-release-'));
  const files = {
    'index.html': `<!doctype html><title>connect2 v${version}</title><script type="module" src="/assets/index-B${version}k3m9.js"></script>`,
    [`assets/index-B${version}k3m9.js`]: `import './vendor-Cq7w2e3r.js'; console.log('v${version}')`,
    'assets/vendor-Cq7w2e3r.js': 'export const react = 19',
    'robots.txt': 'User-agent: *',
  };
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), body);
  }
  return dir;
}

/** @type {import('../harness.mjs').Scenario} */
export default {
  section: 'releases',
  title: 'Web as releases → one bucket, one router: deploy, activate, promote, roll back',
  steps: [DEPLOY_V1, DEPLOY_V2, PROMOTE, ROLLBACK],
  run: ({ step, check, workflowRun, s3 }) =>
    releases(step, check, workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'c4'.repeat(20) }), s3),
};

/**
 * @param {import('../harness.mjs').ScenarioContext['step']} step @param {import('../harness.mjs').ScenarioContext['check']} check
 * @param {Record<string, string | undefined>} env @param {import('@aws-sdk/client-s3').S3Client} s3
 */
async function releases(step, check, env, s3) {
  const kvs = await startFakeKvs();
  try {
    const bucket = 'connect2-web-releases';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const router = kvs.createStore('connect2-web');
    kvs.writeBehind(router, 'h:staging.connect.com', JSON.stringify({ s: 'staging' }));
    kvs.writeBehind(router, 'h:www.connect.com', JSON.stringify({ s: 'production' }));
    const stepEnv = { ...env, AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint };
    const pointer = (/** @type {string} */ site) => JSON.parse(kvs.items(router).get(`s:${site}`) ?? '{}');
    const storeWrites = () => kvs.requests.filter((r) => r.op === 'UpdateKeys').length;
    const common = { bucket, router };

    const v1 = await step(DEPLOY_V1, { ...common, source: build(1), site: 'staging', mode: 'releases', verify: 'false' }, stepEnv);
    const v2 = await step(DEPLOY_V2, { ...common, source: build(2), site: 'staging', mode: 'releases', verify: 'false' }, stepEnv);
    check(
      'staging serves v2 by one pointer write; v1 is its rollback target',
      pointer('staging').l === `staging~${v2.outputs['release-id']}` && pointer('staging').b === v1.outputs['release-id'],
      JSON.stringify(pointer('staging')),
    );

    const writesBefore = storeWrites();
    const objectsBefore = kvs.requests.length;
    const promoted = await step(PROMOTE, { ...common, command: 'promote', from: 'staging', to: 'production' }, stepEnv);
    check(
      'production links to the very release staging verified: one store write, nothing uploaded or invalidated',
      pointer('production').l === `staging~${v2.outputs['release-id']}` &&
        storeWrites() - writesBefore === 1 &&
        promoted.outputs['release-id'] === v2.outputs['release-id'],
      `${JSON.stringify(pointer('production'))}, ${storeWrites() - writesBefore} store write(s) of ${kvs.requests.length - objectsBefore} store requests`,
    );

    const rolled = await step(ROLLBACK, { ...common, command: 'rollback', site: 'staging' }, stepEnv);
    check(
      'staging is back on v1, production still on v2',
      rolled.outputs['release-id'] === v1.outputs['release-id'] && pointer('production').l === `staging~${v2.outputs['release-id']}`,
      `staging ${JSON.stringify(pointer('staging'))}`,
    );

    return {
      bucket,
      staging: pointer('staging'),
      production: pointer('production'),
      ids: { v1: v1.outputs['release-id'], v2: v2.outputs['release-id'] },
    };
  } finally {
    await kvs.stop();
  }
}
