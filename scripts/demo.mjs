// npm run demo: the seed's pipeline (docs in ../shared/seeds: 001's web, preview and CI/CD
// sections, 004's migration and /health) run end to end with the committed action bundles, exactly
// as the runner runs them, on embedded endpoints only: moto for S3 and CloudFront, the fake GitHub
// API for the preview's comment and deployment, the scripted ECS for the API rollout. No network,
// no credentials; everything it starts is stopped again, also on failure or Ctrl-C.
//
//   node scripts/demo.mjs [--report FILE]   FILE receives the run as JSON (used by the tests)
import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionBundle } from '../stand-ins/action-runner.mjs';
import { readActionSpecs } from './lib/action-specs.mjs';
import { apiTaskDefinition, FakeEcs } from '../stand-ins/fake-ecs.mjs';
import { githubEnvFor, startFakeGitHub } from '../stand-ins/fake-github.mjs';
import { awsEnvFor, startMoto } from '../stand-ins/moto.mjs';
import { releasesScenario, RELEASES_STEPS } from './demo-releases.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const reportIndex = process.argv.indexOf('--report');
const reportFile = reportIndex > 0 ? process.argv[reportIndex + 1] : undefined;

const WEB_REPO = 'connect2/web';
const API_REPO = 'connect2/api';
const TOKEN = 'ghs_test'; // the fake GitHub's stand-in for the job's GITHUB_TOKEN
const STAGING = 'connect2-web-staging';
const PRODUCTION = 'connect2-web-production';
const PREVIEWS = 'connect2-web-previews';
const PREVIEW_DOMAIN = 'app.connect.com';
const PR = 42;
const PR_HEAD = '4242c0ffee4242c0ffee4242c0ffee4242c0ffee';
const OLD_IMAGE = 'registry.example.com/connect2/api:1.4.0';
const NEW_IMAGE = 'registry.example.com/connect2/api:1.5.0';
const STEP_TIMEOUT_MS = 45_000;
const SUMMARY_LINES = 40;

// ---------------------------------------------------------------------------------------------
// What the run records; written to --report and printed as the table at the end.

/**
 * @typedef {object} StepRecord
 * @property {string} section
 * @property {string} name
 * @property {string} action
 * @property {number | null} exitCode null: killed, or never ran
 * @property {boolean} ran
 * @property {string} status the action's status output, else ok / failed / not run
 * @property {Record<string, string>} outputs
 * @property {string} key the outputs worth a glance
 * @property {number} durationMs
 */

/** @type {StepRecord[]} */
const steps = [];
/** @type {{ section: string, what: string, ok: boolean, detail: string }[]} */
const checks = [];
/** @type {Record<string, unknown>} */
const evidence = {};

// ---------------------------------------------------------------------------------------------
// The embedded endpoints, and stopping them exactly once whatever happens.

/** @type {(() => Promise<void>)[]} */
const stops = [];
const temps = /** @type {string[]} */ ([]);
/** The action bundles running now. @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let stopped = false;
async function stopAll() {
  if (stopped) return;
  stopped = true;
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const stop of stops.reverse()) await stop().catch((/** @type {unknown} */ e) => console.error(`stopping: ${String(e)}`));
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
}
/** Synchronous last resorts, for an exit that skips the finally below. @type {(() => void)[]} */
const lastResorts = [];
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const kill of lastResorts) kill();
});
for (const event of /** @type {const} */ (['uncaughtException', 'unhandledRejection'])) {
  process.once(event, (error) => {
    console.error(`\n${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void stopAll().finally(() => process.exit(1));
  });
}
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the embedded endpoints`);
    void stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}

/** A temporary directory, removed at the end. @param {string} name */
function temp(name) {
  const dir = mkdtempSync(join(tmpdir(), `slipway-demo-${name}-`));
  temps.push(dir);
  return dir;
}

/** The pid of our moto_server child listening on `port` (Linux /proc; undefined elsewhere). @param {number} port */
function motoPid(port) {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
        if (Number(ppid) === process.pid && cmdline.some((a) => a.endsWith('moto_server')) && cmdline.includes(String(port))) return Number(entry);
      } catch {
        // gone, or not ours to read
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Running a step: every input the runner would set (action.yml defaults included), a clean
// environment (nothing of the caller's AWS or GitHub settings leaks in), the summary printed.

const specs = new Map(readActionSpecs(root).map((s) => [s.name, s]));

/** Unset every variable of the caller that could reach a real account or the real GitHub. */
const scrubbed = /** @type {Record<string, string | undefined>} */ (
  Object.fromEntries(Object.keys(process.env).filter((k) => /^(AWS_|GITHUB_|ACTIONS_|RUNNER_|HTTPS?_PROXY$|https?_proxy$)/.test(k)).map((k) => [k, undefined]))
);

/** @param {string} action @param {Record<string, string>} inputs */
function withDefaults(action, inputs) {
  const spec = specs.get(action);
  if (!spec) throw new Error(`no action ${action}`);
  /** @type {Record<string, string>} */
  const all = {};
  for (const [name, input] of Object.entries(spec.inputs)) all[name] = input.default ?? '';
  if ('github-token' in all) all['github-token'] = TOKEN;
  for (const name of Object.keys(inputs)) if (!(name in all)) throw new Error(`${action} has no input ${name}`);
  return { ...all, ...inputs };
}

/** @param {string} text @param {number} max */
function trimmed(text, max) {
  const lines = text.trimEnd().split('\n');
  return lines.length <= max ? lines.join('\n') : [...lines.slice(0, max), `… (${lines.length - max} more lines)`].join('\n');
}
const indent = (/** @type {string} */ text) => text.split('\n').map((l) => `  │ ${l}`).join('\n');

/** Outputs worth a glance, per action. @param {string} action @param {Record<string, string>} o */
function keyOutputs(action, o) {
  switch (action) {
    case 'deploy-static':
      return `uploaded ${o.uploaded ?? '?'}, skipped ${o.skipped ?? '?'}, deleted ${o.deleted ?? '?'}, changed ${o['changed-paths'] ?? '?'}`;
    case 'invalidate':
      return `paths ${o.paths ?? '?'}`;
    case 'release':
      return `live ${o['release-id'] ?? '?'}${o['previous-release-id'] ? ` (was ${o['previous-release-id']})` : ''}`;
    case 'pr-preview':
      return `${o.url ?? ''} ${o.prefix ? `(s3://${o.bucket ?? '?'}/${o.prefix})` : ''}`.trim();
    case 'ecs-deploy':
      return `${(o['previous-task-definition-arn'] ?? '?').split('/').pop()} → ${(o['task-definition-arn'] ?? '?').split('/').pop()}, ${o.image ?? ''}`;
    default:
      return '';
  }
}

let stepNumber = 0;
/**
 * Runs one action bundle as a workflow step. Throws when it fails, which ends its section.
 * @param {string} section @param {string} name @param {string} action
 * @param {Record<string, string>} inputs @param {Record<string, string | undefined>} env
 */
async function step(section, name, action, inputs, env) {
  const n = ++stepNumber;
  console.log(`\n── ${n}. ${name}  [${action}]`);
  const started = performance.now();
  const run = await runActionBundle(action, withDefaults(action, inputs), {
    env: { ...scrubbed, ...env },
    timeoutMs: STEP_TIMEOUT_MS,
    onSpawn: (child) => {
      running.add(child);
      child.once('exit', () => running.delete(child));
    },
  });
  const durationMs = Math.round(performance.now() - started);
  const ok = run.exitCode === 0;
  const record = { section, name, action, exitCode: run.exitCode, ran: true, status: run.outputs.status ?? (ok ? 'ok' : 'failed'), outputs: run.outputs, key: ok ? keyOutputs(action, run.outputs) : (run.errors[0] ?? '').replace(/^::error[^:]*::/, ''), durationMs };
  steps.push(record);
  if (run.summary.trim()) console.log(indent(trimmed(run.summary, SUMMARY_LINES)));
  for (const line of run.stdout.split('\n').filter((l) => /^::(warning|error)/.test(l))) console.log(`  ${line}`);
  console.log(`  outputs: ${Object.entries(run.outputs).map(([k, v]) => `${k}=${v}`).join('  ') || '(none)'}`);
  console.log(`  ${ok ? 'ok' : `FAILED (exit ${run.exitCode ?? run.signal})`} in ${(durationMs / 1000).toFixed(1)} s`);
  if (!ok) {
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
    console.log(indent(tail));
    throw new Error(`${name}: ${action} exited ${run.exitCode ?? run.signal}`);
  }
  return run;
}

/** Records a claim the demo makes, checked against the endpoints' state. @param {string} section @param {string} what @param {boolean} ok @param {string} [detail] */
function check(section, what, ok, detail = '') {
  checks.push({ section, what, ok, detail });
  console.log(`  ${ok ? '✓' : '✗'} ${what}${detail ? `: ${detail}` : ''}`);
}

/** Steps of a section that did not run because an earlier one failed. @param {string} section @param {[string, string][]} planned */
function notRun(section, planned) {
  for (const [name, action] of planned) {
    if (!steps.some((s) => s.section === section && s.name === name)) steps.push({ section, name, action, exitCode: null, ran: false, status: 'not run', outputs: {}, key: '', durationMs: 0 });
  }
}

// ---------------------------------------------------------------------------------------------

let failed = false;
const started = performance.now();
try {
  const moto = await startMoto();
  stops.push(() => moto.stop());
  lastResorts.push(() => void moto.stop()); // stop() signals moto synchronously
  const port = Number(new URL(moto.endpoint).port);
  evidence.moto = { endpoint: moto.endpoint, pid: motoPid(port) };
  const github = await startFakeGitHub();
  stops.push(() => github.close());
  const ecs = await new FakeEcs().start();
  stops.push(() => ecs.close());
  let healthChecks = 0;
  const health = createServer((req, res) => {
    healthChecks++;
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/health' ? '{"status":"ok","db":"migrated"}' : '{}');
  });
  await new Promise((resolve) => health.listen(0, '127.0.0.1', () => resolve(undefined)));
  stops.push(() => new Promise((resolve) => { health.closeAllConnections(); health.close(() => resolve()); }));
  const healthUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (health.address()).port}/health`;

  console.log('Slipway demo: the seed pipeline on embedded endpoints (no network, no credentials)');
  console.log(`  AWS (S3, CloudFront)  moto_server ${moto.endpoint}${evidence.moto && /** @type {{ pid?: number }} */ (evidence.moto).pid ? ` (pid ${/** @type {{ pid?: number }} */ (evidence.moto).pid})` : ''}`);
  console.log(`  GitHub REST API       fake ${github.url}`);
  console.log(`  ECS + CloudWatch Logs scripted fake ${ecs.endpoint}`);
  console.log(`  API /health           ${healthUrl}`);

  const aws = { ...awsEnvFor(moto.endpoint) };
  const clientConfig = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const cloudfront = new CloudFrontClient(clientConfig);
  stops.push(async () => { s3.destroy(); cloudfront.destroy(); });

  let run = 1000;
  /** The environment of one workflow run: its event, a run id of its own. @param {string} repository @param {string} eventName @param {unknown} payload */
  const workflowRun = (repository, eventName, payload) => {
    const eventPath = join(temp('event'), 'event.json');
    writeFileSync(eventPath, JSON.stringify(payload));
    const env = githubEnvFor(github, { repository, eventName, eventPath });
    delete env['INPUT_GITHUB-TOKEN']; // the token is an input of the steps that use it
    return { ...aws, ...env, GITHUB_RUN_ID: String(++run) };
  };

  /** @param {string} bucket @param {string} comment @param {string[]} [aliases] */
  const distribution = async (bucket, comment, aliases = []) => {
    const out = await cloudfront.send(new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `slipway-demo-${bucket}`,
        Comment: comment,
        Enabled: true,
        ...(aliases.length > 0 ? { Aliases: { Quantity: aliases.length, Items: aliases } } : {}),
        DefaultRootObject: 'index.html',
        Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }] },
        DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, MinTTL: 0, TrustedSigners: { Enabled: false, Quantity: 0 } },
      },
    }));
    const id = out.Distribution?.Id;
    if (!id) throw new Error(`CreateDistribution for ${bucket} returned no id`);
    return id;
  };

  /** Paths of every invalidation of a distribution, newest first as CloudFront lists them. @param {string} id */
  const invalidations = async (id) => {
    const list = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: id }));
    return Promise.all((list.InvalidationList?.Items ?? []).map(async (item) => {
      const full = await cloudfront.send(new GetInvalidationCommand({ DistributionId: id, Id: item.Id }));
      return { id: item.Id ?? '', paths: [...(full.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort() };
    }));
  };

  /** Every object: key → ETag, Content-Type, Cache-Control. @param {string} bucket @param {string} [prefix] */
  const objects = async (bucket, prefix) => {
    /** @type {Record<string, { etag: string, contentType: string, cacheControl: string }>} */
    const found = {};
    /** @type {string | undefined} */
    let token;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.Key }));
        found[o.Key ?? ''] = { etag: o.ETag ?? '', contentType: head.ContentType ?? '', cacheControl: head.CacheControl ?? '' };
      }
      token = page.NextContinuationToken;
    } while (token);
    return found;
  };

  // The buckets and distributions Terraform would have made (001, "Web Resources by Environment").
  for (const bucket of [STAGING, PRODUCTION, PREVIEWS]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const stagingDist = await distribution(STAGING, 'connect2 web staging (app-staging.connect.com)');
  const productionDist = await distribution(PRODUCTION, 'connect2 web production (app.connect.com)');
  const previewDist = await distribution(PREVIEWS, `connect2 previews (*.${PREVIEW_DOMAIN})`);
  console.log(`  buckets ${STAGING}, ${PRODUCTION}, ${PREVIEWS}; distributions ${stagingDist} (staging), ${productionDist} (production), ${previewDist} (previews, wildcard)`);
  evidence.distributions = { staging: stagingDist, production: productionDist, previews: previewDist };

  // A build of the web app, as CI would leave it.
  const site = temp('site');
  cpSync(join(root, 'demo/site'), site, { recursive: true });

  // ── Web, staging: upload, invalidate what changed; then a one-file change from a fresh build.
  const STAGING_STEPS = /** @type {[string, string][]} */ ([
    ['staging: deploy build 1', 'deploy-static'], ['staging: invalidate', 'invalidate'],
    ['staging: deploy build 2 (one file changed)', 'deploy-static'], ['staging: invalidate changed paths', 'invalidate'],
  ]);
  let stagingOk = false;
  try {
    console.log(`\n═══ Web → staging (push to main: upload to S3, invalidate CloudFront)`);
    const push1 = workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'a1'.repeat(20) });
    const first = await step('staging', STAGING_STEPS[0]?.[0] ?? '', 'deploy-static', { source: site, bucket: STAGING }, push1);
    const inv1 = await step('staging', STAGING_STEPS[1]?.[0] ?? '', 'invalidate', { 'distribution-id': stagingDist, paths: first.outputs['changed-paths'] ?? '' }, push1);

    // The next build: one page edited; the checkout and build give every file a new mtime.
    const about = join(site, 'about/index.html');
    writeFileSync(about, readFileSync(about, 'utf8').replace('<h1>About</h1>', '<h1>About connect2</h1><p>Now with a team page.</p>'));
    const later = new Date(Date.now() + 60_000);
    for (const e of readdirSync(site, { withFileTypes: true, recursive: true })) if (e.isFile()) utimesSync(join(e.parentPath, e.name), later, later);
    const push2 = workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'b2'.repeat(20) });
    const second = await step('staging', STAGING_STEPS[2]?.[0] ?? '', 'deploy-static', { source: site, bucket: STAGING }, push2);
    const inv2 = await step('staging', STAGING_STEPS[3]?.[0] ?? '', 'invalidate', { 'distribution-id': stagingDist, paths: second.outputs['changed-paths'] ?? '' }, push2);

    const stored = await invalidations(stagingDist);
    const newest = stored.find((i) => (JSON.parse(inv2.outputs['invalidation-ids'] ?? '{}')[stagingDist] ?? []).includes(i.id));
    const changed = /** @type {string[]} */ (JSON.parse(second.outputs['changed-paths'] ?? '[]'));
    check('staging', 'build 2 uploaded only the edited page', second.outputs.uploaded === '1', `uploaded ${second.outputs.uploaded}, skipped ${second.outputs.skipped} despite new mtimes`);
    check('staging', 'the second invalidation holds exactly the changed paths', newest !== undefined && JSON.stringify(newest.paths) === JSON.stringify([...changed].sort()), `${JSON.stringify(newest?.paths)} (of ${Object.keys(await objects(STAGING)).length} objects)`);
    evidence.staging = { firstInvalidationPaths: inv1.outputs.paths, changedPaths: changed, invalidationPaths: newest?.paths ?? [], invalidationsStored: stored.length };
    stagingOk = true;
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    notRun('staging', STAGING_STEPS);
  }

  // ── Preview of PR 42 on the shared wildcard distribution: opened → deploy, closed → cleanup.
  const PREVIEW_STEPS = /** @type {[string, string][]} */ ([[`preview: PR ${PR} opened`, 'pr-preview'], [`preview: PR ${PR} closed`, 'pr-preview']]);
  try {
    console.log(`\n═══ Preview of PR #${PR} (pull_request opened, then closed)`);
    github.addPull(WEB_REPO, { number: PR, headSha: PR_HEAD, title: 'Team page', headRef: 'team-page' });
    const pullEvent = (/** @type {string} */ action, /** @type {boolean} */ merged) => ({
      action, number: PR, pull_request: { number: PR, state: action === 'closed' ? 'closed' : 'open', merged, head: { sha: PR_HEAD, ref: 'team-page' }, base: { ref: 'main' } },
    });
    const shared = { strategy: 'shared', domain: PREVIEW_DOMAIN, bucket: PREVIEWS, 'distribution-id': previewDist };
    const opened = await step('preview', PREVIEW_STEPS[0]?.[0] ?? '', 'pr-preview', { ...shared, command: 'auto', source: site }, workflowRun(WEB_REPO, 'pull_request', pullEvent('opened', false)));
    const afterDeploy = Object.keys(await objects(PREVIEWS, `pr-${PR}/`)).filter((k) => !k.includes('/.slipway/'));
    const commentsAfterDeploy = github.comments(WEB_REPO, PR);
    console.log(`\n  the PR's comments (${commentsAfterDeploy.length}):`);
    for (const c of commentsAfterDeploy) console.log(indent(`${c.user.login}: ${c.body}`));
    check('preview', `pr-${PR}/ holds the build`, opened.outputs.status === 'deployed' && afterDeploy.length > 0, `${afterDeploy.length} objects under s3://${PREVIEWS}/pr-${PR}/`);

    github.setPull(WEB_REPO, PR, { state: 'closed', merged: true });
    const closed = await step('preview', PREVIEW_STEPS[1]?.[0] ?? '', 'pr-preview', { ...shared, command: 'auto' }, workflowRun(WEB_REPO, 'pull_request', pullEvent('closed', true)));
    const afterCleanup = Object.keys(await objects(PREVIEWS, `pr-${PR}/`));
    const comments = github.comments(WEB_REPO, PR);
    console.log(`\n  the PR's comments (${comments.length}):`);
    for (const c of comments) console.log(indent(`${c.user.login}: ${c.body}`));
    const deployments = github.deployments(WEB_REPO).map((d) => ({ id: d.id, environment: d.environment, sha: d.sha, statuses: github.statusesOf(WEB_REPO, d.id).map((s) => s.state) }));
    console.log('  deployments:');
    for (const d of deployments) console.log(`    #${d.id} ${d.environment} @ ${d.sha.slice(0, 7)}: ${d.statuses.join(' → ')}`);
    check('preview', 'exactly one comment, edited in place', comments.length === 1 && commentsAfterDeploy.length === 1 && comments[0]?.id === commentsAfterDeploy[0]?.id);
    check('preview', `pr-${PR}/ is empty after the cleanup`, closed.outputs.status === 'removed' && afterCleanup.length === 0, `${afterCleanup.length} objects left`);
    evidence.preview = {
      url: opened.outputs.url,
      objectsAfterDeploy: afterDeploy.length,
      objectsAfterCleanup: afterCleanup.length,
      comments: comments.map((c) => ({ id: c.id, login: c.user.login, body: c.body })),
      commentsAfterDeploy: commentsAfterDeploy.map((c) => ({ id: c.id, login: c.user.login, body: c.body })),
      deployments,
      invalidationPaths: (await invalidations(previewDist)).map((i) => i.paths),
    };
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    notRun('preview', PREVIEW_STEPS);
  }

  // ── Production, by hand: promote exactly what staging serves (server-side copy), invalidate.
  // Production already serves the release before (build 1), so the promotion has something to
  // replace and the invalidation something to do.
  const PRODUCTION_STEPS = /** @type {[string, string][]} */ ([
    ['production: the release it serves (build 1)', 'deploy-static'], ['production: promote staging (build 2)', 'deploy-static'], ['production: invalidate', 'invalidate'],
  ]);
  try {
    console.log(`\n═══ Web → production (workflow_dispatch: promote s3://${STAGING}, invalidate)`);
    const earlier = workflowRun(WEB_REPO, 'workflow_dispatch', { ref: 'refs/heads/main', inputs: {} });
    await step('production', PRODUCTION_STEPS[0]?.[0] ?? '', 'deploy-static', { source: join(root, 'demo/site'), bucket: PRODUCTION }, earlier);
    if (!stagingOk) throw new Error('staging did not deploy: nothing to promote');
    const dispatch = workflowRun(WEB_REPO, 'workflow_dispatch', { ref: 'refs/heads/main', inputs: {} });
    const promoted = await step('production', PRODUCTION_STEPS[1]?.[0] ?? '', 'deploy-static', { source: `s3://${STAGING}`, bucket: PRODUCTION }, dispatch);
    const invalidated = await step('production', PRODUCTION_STEPS[2]?.[0] ?? '', 'invalidate', { 'distribution-id': productionDist, paths: promoted.outputs['changed-paths'] ?? '' }, dispatch);
    // Slipway's own record (.slipway/manifest.json) is per bucket; the site is what must match.
    const site = async (/** @type {string} */ bucket) => Object.fromEntries(Object.entries(await objects(bucket)).filter(([key]) => !key.startsWith('.slipway/')).sort(([a], [b]) => a.localeCompare(b)));
    const staging = await site(STAGING);
    const production = await site(PRODUCTION);
    const same = JSON.stringify(staging) === JSON.stringify(production);
    check('production', 'production holds the same objects as staging (keys, ETags, Content-Type, Cache-Control)', same, `${Object.keys(production).length} objects, ${promoted.outputs.uploaded ?? '?'} copied server-side`);
    const stored = await invalidations(productionDist);
    check('production', 'production invalidated exactly what the promotion replaced', invalidated.outputs.paths === promoted.outputs['changed-paths'] && stored.length === 1, invalidated.outputs.paths ?? '');
    evidence.production = { staging, production, promotedOutputs: promoted.outputs, invalidationPaths: stored.map((i) => i.paths) };
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    notRun('production', PRODUCTION_STEPS);
  }

  // ── Web as releases: staging and production behind one router (scripts/demo-releases.mjs).
  try {
    console.log(`\n═══ Web as releases → one bucket, one router: deploy, activate, promote, roll back`);
    evidence.releases = await releasesScenario({ step, check, env: workflowRun(WEB_REPO, 'push', { ref: 'refs/heads/main', after: 'c4'.repeat(20) }), s3 });
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    notRun('releases', RELEASES_STEPS);
  }

  // ── API: new image, migration as a one-off task first, rolling deployment, /health.
  const API_STEPS = /** @type {[string, string][]} */ ([['api: deploy image 1.5.0 with migration', 'ecs-deploy']]);
  try {
    console.log(`\n═══ API → ECS (migrate, roll out, check /health)`);
    ecs.createService('api', ecs.registerTaskDefinition(apiTaskDefinition(OLD_IMAGE)), { desiredCount: 2 });
    ecs.script('api', { kind: 'complete', after: 1 });
    ecs.migration = {
      statuses: ['STOPPED'], exitCode: 0, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited',
      logs: ['> api@1.5.0 migrate', '> node-pg-migrate up', 'Migrating files: 20250301_add_team_pages', '### MIGRATION 20250301_add_team_pages (UP) ###', 'Migrations complete!'],
    };
    const push = { ...workflowRun(API_REPO, 'push', { ref: 'refs/heads/main', after: 'c3'.repeat(20) }), ...awsEnvFor(ecs.endpoint) };
    const deployed = await step('api', API_STEPS[0]?.[0] ?? '', 'ecs-deploy', {
      cluster: 'prod', service: 'api', 'container-name': 'api', image: NEW_IMAGE, 'migrate-command': 'npm run migrate', 'health-check-url': healthUrl, timeout: '2m',
    }, push);
    const order = ecs.calls.map((c) => c.operation);
    const runTask = ecs.ops('RunTask')[0]?.input;
    const overrides = /** @type {{ containerOverrides?: { name?: string, command?: string[] }[] } | undefined} */ (runTask?.overrides);
    const migration = overrides?.containerOverrides?.[0];
    const service = ecs.service('api');
    check('api', 'the migration ran as a one-off task of the new revision, before the service changed',
      runTask !== undefined && runTask.taskDefinition === deployed.outputs['task-definition-arn'] && order.indexOf('RunTask') < order.indexOf('UpdateService'),
      `${migration?.name ?? '?'}: ${(migration?.command ?? []).join(' ')}`);
    check('api', 'the service runs the new revision, rollout completed, /health answered', service.taskDefinition === deployed.outputs['task-definition-arn'] && service.deployments.length === 1 && service.deployments[0]?.rolloutState === 'COMPLETED' && healthChecks > 0,
      `${service.deployments.map((d) => `${d.id} ${d.rolloutState}`).join(', ')}; ${healthChecks} health check(s)`);
    evidence.api = {
      outputs: deployed.outputs,
      migration: { taskDefinition: runTask?.taskDefinition, container: migration?.name, command: migration?.command, beforeUpdate: order.indexOf('RunTask') >= 0 && order.indexOf('RunTask') < order.indexOf('UpdateService') },
      service: { taskDefinition: service.taskDefinition, deployments: service.deployments.map((d) => ({ id: d.id, rolloutState: d.rolloutState, taskDefinition: d.taskDefinition })) },
      healthChecks,
      operations: order,
    };
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof Error ? error.message : String(error)}`);
    notRun('api', API_STEPS);
  }
} catch (error) {
  failed = true;
  console.error(`\nThe demo could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await stopAll();
}

// ---------------------------------------------------------------------------------------------
// The report.

const totalMs = Math.round(performance.now() - started);
const anyStepFailed = steps.some((s) => s.exitCode !== 0);
const anyCheckFailed = checks.some((c) => !c.ok);
if (anyStepFailed || anyCheckFailed || steps.length === 0) failed = true;

const rows = [['#', 'step', 'action', 'exit', 'status', 'key outputs', 'time'], ...steps.map((s, i) => [
  String(i + 1), s.name, s.action, s.ran ? String(s.exitCode ?? 'killed') : '-', s.status, s.key.length > 90 ? `${s.key.slice(0, 89)}…` : s.key, s.ran ? `${(s.durationMs / 1000).toFixed(1)} s` : '-',
])];
const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
const line = (/** @type {string[]} */ r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
console.log(`\n═══ Report\n`);
console.log(line(rows[0] ?? []));
console.log(widths.map((w) => '─'.repeat(w)).join('  '));
for (const r of rows.slice(1)) console.log(line(r));
console.log(`\nchecks: ${checks.filter((c) => c.ok).length}/${checks.length} passed${anyCheckFailed ? ` (failed: ${checks.filter((c) => !c.ok).map((c) => c.what).join('; ')})` : ''}`);
console.log(`${failed ? 'FAILED' : 'all steps succeeded'} in ${(totalMs / 1000).toFixed(1)} s; moto, the fake GitHub, the fake ECS and /health are stopped.`);

if (reportFile) writeFileSync(reportFile, JSON.stringify({ ok: !failed, totalMs, steps, checks, evidence }, null, 2));
process.exitCode = failed ? 1 : 0;
