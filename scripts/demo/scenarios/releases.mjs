// Web as releases: staging and production as releases of one bucket behind one router, served by an
// edge stand-in (stand-ins/edge-simulator.mjs: the router function at three POPs that each see the key
// value store late, in front of moto's S3). Deploy staging twice (each staged, verified through the
// edge with its token, activated by one pointer write, then waited for until every POP serves it),
// promote staging's release to production (verified, one pointer write, nothing copied), roll staging
// back (verified, one pointer write). It starts its own KeyValueStore stand-in and edge.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { WEB_REPO } from '../world.mjs';
import { startEdgeSimulator } from '../../../stand-ins/edge-simulator.mjs';
import { startFakeKvs } from '../../../stand-ins/fake-kvs.mjs';

const DEPLOY_V1 = { name: 'web staging: deploy v1 as a release', action: 'deploy-static' };
const DEPLOY_V2 = { name: 'web staging: deploy v2 as a release', action: 'deploy-static' };
const PROMOTE = { name: 'web production: promote staging → production', action: 'release' };
const ROLLBACK = { name: 'web staging: roll back to v1', action: 'release' };

const STAGING_HOST = 'staging.connect.com';
const PRODUCTION_HOST = 'www.connect.com';
/**
 * Three POPs and how late each sees a write to the key value store. AWS says "within seconds" and
 * publishes no bound (kvs-with-functions.html); the demo plays seconds as tenths of seconds.
 */
const POPS = [
  { pop: 'IAD89-C1', lagMs: 150 },
  { pop: 'FRA56-P3', lagMs: 400 },
  { pop: 'NRT57-C2', lagMs: 700 },
];

/**
 * A small Vite build: the page and its hashed entry chunk change with `version`; the vendor chunk,
 * styles, icon and manifest do not. Every file under assets/ is content-hashed, so assets/ is the
 * shared pool (v2 finds the vendor chunk, the stylesheet and the logo already there).
 */
function build(/** @type {number} */ version) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-demo-release-'));
  const files = {
    'index.html': [
      `<!doctype html><title>connect2 v${version}</title>`,
      '<link rel="stylesheet" href="/assets/style-D4f5g6h7.css"><link rel="icon" href="/favicon.svg">',
      '<link rel="manifest" href="/manifest.webmanifest">',
      `<script type="module" src="/assets/index-B${version}k3m9x2.js"></script>`,
    ].join(''),
    [`assets/index-B${version}k3m9x2.js`]: `import './vendor-Cq7w2e3r.js'; console.log('v${version}')`,
    'assets/vendor-Cq7w2e3r.js': 'export const react = 19',
    'assets/style-D4f5g6h7.css': 'body { background: url(/assets/logo-E5r6t7y8.svg) no-repeat }',
    'assets/logo-E5r6t7y8.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'manifest.webmanifest': JSON.stringify({ name: 'connect2', icons: [{ src: '/favicon.svg', sizes: 'any' }] }),
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
  title: 'Web as releases → one bucket, one router, an edge with three POPs: deploy, verify, activate, promote, roll back',
  steps: [DEPLOY_V1, DEPLOY_V2, PROMOTE, ROLLBACK],
  run: ({ step, check, workflowRun, s3 }) =>
    releases(step, check, workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'c4'.repeat(20) }), s3),
};

/** The bold line of a step's summary that starts with `what`, as plain text. @param {string} summary @param {string} what */
const line = (summary, what) =>
  (summary.split('\n').find((l) => l.startsWith(`**${what}`)) ?? '(not in the summary)').replace(/\*\*/g, '').replace(/`/g, '');

/**
 * @param {import('../harness.mjs').ScenarioContext['step']} step @param {import('../harness.mjs').ScenarioContext['check']} check
 * @param {Record<string, string | undefined>} env @param {import('@aws-sdk/client-s3').S3Client} s3
 */
async function releases(step, check, env, s3) {
  const kvs = await startFakeKvs();
  /** @type {import('../../../stand-ins/edge-simulator.mjs').EdgeSimulator | undefined} */
  let edge;
  try {
    const bucket = 'connect2-web-releases';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const router = kvs.createStore('connect2-web');
    kvs.writeBehind(router, `h:${STAGING_HOST}`, JSON.stringify({ s: 'staging' }));
    kvs.writeBehind(router, `h:${PRODUCTION_HOST}`, JSON.stringify({ s: 'production' }));
    edge = await startEdgeSimulator({
      store: () => kvs.items(router),
      storeAt: (time) => kvs.itemsAt(router, time),
      s3,
      bucket,
      listBucket: true,
      edges: POPS,
    });
    const cdn = edge;
    console.log(
      `  edge ${cdn.url}: POPs ${POPS.map((p) => `${p.pop} (sees the store ${p.lagMs} ms late)`).join(', ')}; ${STAGING_HOST} → site staging, ${PRODUCTION_HOST} → site production`,
    );
    // Every host must be known at every POP before the first step (the slowest sees it 700 ms late).
    await new Promise((resolve) => setTimeout(resolve, Math.max(...POPS.map((p) => p.lagMs)) + 50));
    const stepEnv = { ...env, AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: kvs.endpoint };
    const pointer = (/** @type {string} */ site) => JSON.parse(kvs.items(router).get(`s:${site}`) ?? '{}');
    const storeWrites = () => kvs.requests.filter((r) => r.op === 'UpdateKeys').length;
    const common = { bucket, router };
    const stagingUrl = cdn.edgeUrl(STAGING_HOST);
    const productionUrl = cdn.edgeUrl(PRODUCTION_HOST);

    /** The page's title at every POP, asked the way a browser asks (no token). @param {string} host */
    const titles = async (host) => {
      const seen = [];
      for (const { pop } of POPS) {
        const r = await cdn.get(host, '/', { pop });
        seen.push(`${pop} ${r.status} ${/<title>([^<]*)<\/title>/.exec(r.body)?.[1] ?? r.body.slice(0, 40)}`);
      }
      return seen;
    };
    const everywhere = (/** @type {string[]} */ seen, /** @type {string} */ title) => seen.every((s) => s.endsWith(` 200 ${title}`));

    /**
     * Runs a step, and reads from the edge's own log what went through it meanwhile: the requests made
     * with a verification token (the staged or target release's pages and what they reference), and
     * the polls of /_slipway/release without one (the wait after the pointer write).
     * @param {import('../steps.mjs').PlannedStep} planned @param {Record<string, string>} inputs
     * @param {string} site the site whose pointer the step moves
     */
    const timed = async (planned, inputs, site) => {
      const from = cdn.requests.length;
      const writesBefore = storeWrites();
      const storeFrom = kvs.requests.length;
      const started = performance.now();
      const run = await step(planned, inputs, stepEnv);
      const ms = Math.round(performance.now() - started);
      const asked = cdn.requests.slice(from);
      const verified = asked.filter((q) => q.verify && q.path !== '/_slipway/release');
      const pointerWrites = kvs.requests
        .slice(storeFrom)
        .filter((r) => r.op === 'UpdateKeys' && r.status === 200 && JSON.stringify(r.puts) === JSON.stringify([`s:${site}`]));
      return {
        run,
        ms,
        storeWrites: storeWrites() - writesBefore,
        activation: `${pointerWrites.length} write${pointerWrites.length === 1 ? '' : 's'} of s:${site}${pointerWrites.every((r) => r.ifMatch) ? ' (If-Match on the store ETag)' : ''}: ${run.outputs['previous-release-id'] || 'none'} → ${run.outputs['release-id'] ?? '?'}`,
        pointerWrites: pointerWrites.length,
        verified: {
          requests: verified.length,
          paths: [...new Set(verified.map((q) => q.path))].sort(),
          hosts: [...new Set(verified.map((q) => q.host))],
        },
        polled: [...new Set(asked.filter((q) => !q.verify && q.path === '/_slipway/release').map((q) => `${q.host} at ${q.pop}`))].sort(),
        // The edge's log is in arrival order: every request with the token came before the first poll
        // for the new id, which only starts once the pointer is written.
        verifiedFirst:
          asked.findLastIndex((q) => q.verify) < asked.findIndex((q) => !q.verify && q.path === '/_slipway/release') &&
          asked.some((q) => q.verify),
        propagationMs: run.outputs['propagation-ms'] ?? '',
        verification: line(run.summary, 'Verified through the CDN'),
        served: line(run.summary, 'Served everywhere'),
        // A deploy runs gc after its switch and says so; a rollback or a promotion runs none.
        gc: planned.action === 'deploy-static' ? line(run.summary, 'Garbage collection') : '',
      };
    };
    /** @param {string} what @param {Awaited<ReturnType<typeof timed>>} t @param {string} host */
    const verifiedCheck = (what, t, host) =>
      check(
        `${what}: verified through the edge with its token before the switch, then waited for until all ${POPS.length} POPs served it`,
        t.verified.hosts.length === 1 &&
          t.verified.hosts[0] === host &&
          ['/', '/assets/style-D4f5g6h7.css', '/assets/logo-E5r6t7y8.svg', '/manifest.webmanifest', '/favicon.svg'].every((p) =>
            t.verified.paths.includes(p),
          ) &&
          t.verified.paths.some((p) => /^\/assets\/index-B\dk3m9x2\.js$/.test(p)) &&
          t.pointerWrites === 1 &&
          t.verifiedFirst &&
          POPS.every(({ pop }) => t.polled.some((p) => p.endsWith(` at ${pop}`))) &&
          /^\d+$/.test(t.propagationMs),
        `${t.verified.requests} requests with the token (${t.verified.paths.join(', ')}); served everywhere ${t.propagationMs} ms after the pointer write`,
      );

    const v1 = await timed(
      DEPLOY_V1,
      { ...common, source: build(1), site: 'staging', mode: 'releases', 'verify-url': stagingUrl },
      'staging',
    );
    verifiedCheck('v1', v1, STAGING_HOST);
    const afterV1 = await titles(STAGING_HOST);
    check('every POP serves v1 on staging', everywhere(afterV1, 'connect2 v1'), afterV1.join('; '));

    const v2 = await timed(
      DEPLOY_V2,
      { ...common, source: build(2), site: 'staging', mode: 'releases', 'verify-url': stagingUrl },
      'staging',
    );
    const ids = { v1: v1.run.outputs['release-id'] ?? '', v2: v2.run.outputs['release-id'] ?? '' };
    verifiedCheck('v2', v2, STAGING_HOST);
    check(
      "each deploy's summary ends with the gc it ran after the switch: nothing deleted, both releases kept (live and rollback target)",
      [v1, v2].every((t) => t.run.outputs['deleted-releases'] === '[]' && t.run.outputs.deleted === '0') &&
        v2.gc.includes('0 releases deleted; 2 releases kept (2 held by a pointer)'),
      v2.gc,
    );
    const afterV2 = await titles(STAGING_HOST);
    check(
      'staging serves v2 at every POP by one pointer write; v1 is its rollback target',
      pointer('staging').l === `staging~${ids.v2}` && pointer('staging').b === ids.v1 && everywhere(afterV2, 'connect2 v2'),
      `${JSON.stringify(pointer('staging'))}; ${afterV2.join('; ')}`,
    );

    const promoted = await timed(
      PROMOTE,
      {
        ...common,
        command: 'promote',
        from: 'staging',
        to: 'production',
        'verify-url': stagingUrl,
        'to-url': productionUrl,
      },
      'production',
    );
    verifiedCheck('the promotion', promoted, STAGING_HOST);
    const production = await titles(PRODUCTION_HOST);
    check(
      'production links to the very release staging verified: one store write, nothing uploaded or invalidated, every POP serves it',
      pointer('production').l === `staging~${ids.v2}` &&
        promoted.storeWrites === 1 &&
        promoted.run.outputs['release-id'] === ids.v2 &&
        promoted.polled.length > 0 &&
        promoted.polled.every((p) => p.startsWith(`${PRODUCTION_HOST} `)) &&
        everywhere(production, 'connect2 v2'),
      `${JSON.stringify(pointer('production'))}, ${promoted.storeWrites} store write(s); ${production.join('; ')}`,
    );

    const rolled = await timed(ROLLBACK, { ...common, command: 'rollback', site: 'staging', 'verify-url': stagingUrl }, 'staging');
    verifiedCheck('the rollback', rolled, STAGING_HOST);
    const stagingBack = await titles(STAGING_HOST);
    const productionStill = await titles(PRODUCTION_HOST);
    check(
      'staging is back on v1 at every POP by one store write, production still on v2',
      rolled.run.outputs['release-id'] === ids.v1 &&
        rolled.storeWrites === 1 &&
        pointer('production').l === `staging~${ids.v2}` &&
        everywhere(stagingBack, 'connect2 v1') &&
        everywhere(productionStill, 'connect2 v2'),
      `staging ${JSON.stringify(pointer('staging'))}; ${stagingBack.join('; ')}`,
    );

    const timeline = [
      ['deploy v1', v1],
      ['deploy v2', v2],
      ['promote staging → production', promoted],
      ['roll staging back to v1', rolled],
    ];
    console.log(`\n  Releases, step by step (POP lags ${POPS.map((p) => p.lagMs).join(' / ')} ms):`);
    for (const [what, t] of /** @type {[string, Awaited<ReturnType<typeof timed>>][]} */ (timeline)) {
      console.log(`  ▸ ${what}: ${(t.ms / 1000).toFixed(1)} s in all, ${t.storeWrites} store writes`);
      console.log(`      verify    ${t.verification}`);
      console.log(`      activate  ${t.activation}`);
      console.log(`      served    ${t.served}`);
      if (t.gc) console.log(`      gc        ${t.gc}`);
    }

    return {
      bucket,
      staging: pointer('staging'),
      production: pointer('production'),
      ids,
      pops: POPS,
      steps: Object.fromEntries(
        /** @type {[string, Awaited<ReturnType<typeof timed>>][]} */ (timeline).map(([what, t]) => [
          what,
          {
            ms: t.ms,
            storeWrites: t.storeWrites,
            verified: t.verified,
            polled: t.polled,
            propagationMs: t.propagationMs,
            activation: t.activation,
          },
        ]),
      ),
    };
  } finally {
    await edge?.stop();
    await kvs.stop();
  }
}
