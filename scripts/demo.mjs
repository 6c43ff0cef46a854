// npm run demo: the pipeline of connect2 (a web app and its API; its web, preview and CI/CD flows,
// and the API's migration and /health) run end to end with the committed action bundles, exactly
// as the runner runs them, on embedded endpoints only: moto for S3 and CloudFront, the fake GitHub
// API for the preview's comment and deployment, the scripted ECS for the API rollout. No network,
// no credentials; everything it starts is stopped again, also on failure or Ctrl-C.
//
//   node scripts/demo.mjs [--report FILE]   FILE receives the run as JSON (used by the tests)
//
// The harness is demo/harness.mjs; the scenarios, one file each, are listed in demo/scenarios/index.mjs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from './demo/harness.mjs';
import { scenarios } from './demo/scenarios/index.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reportIndex = process.argv.indexOf('--report');
const reportFile = reportIndex > 0 ? process.argv[reportIndex + 1] : undefined;

await runDemo(scenarios, { root, reportFile });
