import { runAction } from '../../../src/drivers/actions-runner.js';
import { createCloudFrontClient } from '../../../src/lib/aws/cloudfront-client.js';
import { routerOutputs, routerSummary, type RouterOutcome } from '../../../src/actions/router/report.js';
import { parseRouterSettings } from '../../../src/actions/router/settings.js';
import { routerStatus, setupRouter } from '../../../src/lib/router/setup.js';
import { createKvsClient } from '../../../src/lib/router/store.js';
import { systemClock } from '../../../src/lib/util/clock.js';

await runAction(async (inputs, log) => {
  const settings = parseRouterSettings(inputs);
  log.debug(`settings: ${JSON.stringify(settings)}`);
  const deps = { cloudfront: createCloudFrontClient(), kvs: createKvsClient(), log, clock: systemClock };
  const outcome: RouterOutcome = settings.command === 'setup' ? { command: 'setup', result: await setupRouter(settings, deps) } : { command: 'status', result: await routerStatus(settings, deps) };
  return { outputs: routerOutputs(outcome), summary: routerSummary(settings, outcome) };
});
