// The demo's releases scenario (npm run demo): staging and production as releases of one bucket
// behind one router — deploy staging twice (each staged, then activated by one pointer write),
// promote staging's release to production (one pointer write, nothing copied), roll staging back. Self-contained: it starts its own KeyValueStore stand-in and takes the
// harness's step/check functions, so scripts/demo.mjs calls it in one line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startFakeKvs } from '../stand-ins/fake-kvs.mjs';

export const RELEASES_STEPS = /** @type {[string, string][]} */ ([
  ['web staging: deploy v1 as a release', 'deploy-static'],
  ['web staging: deploy v2 as a release', 'deploy-static'],
  ['web production: promote staging → production', 'release'],
  ['web staging: roll back to v1', 'release'],
]);

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

/**
 * @param {{
 *   step: (section: string, name: string, action: string, inputs: Record<string, string>, env: Record<string, string | undefined>) => Promise<{ outputs: Record<string, string> }>,
 *   check: (section: string, what: string, ok: boolean, detail?: string) => void,
 *   env: Record<string, string | undefined>,
 *   s3: import('@aws-sdk/client-s3').S3Client,
 * }} harness
 * @returns {Promise<Record<string, unknown>>} evidence for the report
 */
export async function releasesScenario({ step, check, env, s3 }) {
  const section = 'releases';
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
    const [deploy1 = '', deploy2 = '', promoteStep = '', rollbackStep = ''] = RELEASES_STEPS.map(([name]) => name);

    const v1 = await step(section, deploy1, 'deploy-static', { ...common, source: build(1), site: 'staging', mode: 'releases', verify: 'false' }, stepEnv);
    const v2 = await step(section, deploy2, 'deploy-static', { ...common, source: build(2), site: 'staging', mode: 'releases', verify: 'false' }, stepEnv);
    check(section, 'staging serves v2 by one pointer write; v1 is its rollback target', pointer('staging').l === `staging~${v2.outputs['release-id']}` && pointer('staging').b === v1.outputs['release-id'], JSON.stringify(pointer('staging')));

    const writesBefore = storeWrites();
    const objectsBefore = kvs.requests.length;
    const promoted = await step(section, promoteStep, 'release', { ...common, command: 'promote', from: 'staging', to: 'production' }, stepEnv);
    check(section, 'production links to the very release staging verified: one store write, nothing uploaded or invalidated',
      pointer('production').l === `staging~${v2.outputs['release-id']}` && storeWrites() - writesBefore === 1 && promoted.outputs['release-id'] === v2.outputs['release-id'],
      `${JSON.stringify(pointer('production'))}, ${storeWrites() - writesBefore} store write(s) of ${kvs.requests.length - objectsBefore} store requests`);

    const rolled = await step(section, rollbackStep, 'release', { ...common, command: 'rollback', site: 'staging' }, stepEnv);
    check(section, 'staging is back on v1, production still on v2', rolled.outputs['release-id'] === v1.outputs['release-id'] && pointer('production').l === `staging~${v2.outputs['release-id']}`, `staging ${JSON.stringify(pointer('staging'))}`);

    return { bucket, staging: pointer('staging'), production: pointer('production'), ids: { v1: v1.outputs['release-id'], v2: v2.outputs['release-id'] } };
  } finally {
    await kvs.stop();
  }
}
