import { runAction } from '../../../action-runtime/run.js';
import { createCloudFrontClient } from '../../../src/aws/cloudfront-client.js';
import { routerOutputs, routerSummary, type RouterOutcome } from '../../../src/router/action-report.js';
import { parseRouterSettings } from '../../../src/router/settings.js';
import { routerStatus, setupRouter } from '../../../src/router/setup.js';
import { createKvsClient } from '../../../src/router/store.js';
import { systemClock } from '../../../src/util/clock.js';

await runAction(async (inputs, log) => {
  const settings = parseRouterSettings(inputs);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const deps = { cloudfront: createCloudFrontClient(), kvs: createKvsClient(), log, clock: systemClock };
  const outcome: RouterOutcome = settings.command === 'setup' ? { command: 'setup', result: await setupRouter(settings, deps) } : { command: 'status', result: await routerStatus(settings, deps) };
  return { outputs: routerOutputs(outcome), summary: routerSummary(settings, outcome) };
});
