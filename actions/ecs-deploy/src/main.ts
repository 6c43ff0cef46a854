import { ActionFailure, runAction } from '../../../src/drivers/actions-runner.js';
import { createEcsClients } from '../../../src/lib/aws/ecs-clients.js';
import { deployToEcs, EcsDeployFailed } from '../../../src/lib/ecs/deploy.js';
import { ecsDeployOutputs, ecsDeploySummary } from '../../../src/actions/ecs-deploy/report.js';
import { parseEcsDeploySettings } from '../../../src/actions/ecs-deploy/settings.js';
import { systemClock } from '../../../src/lib/util/clock.js';

await runAction(async (inputs, log) => {
  const settings = parseEcsDeploySettings(inputs);
  log.debug(`settings: ${JSON.stringify({ ...settings, taskDefinition: settings.taskDefinition ? '(file)' : undefined })}`);
  try {
    const result = await deployToEcs(settings, { clients: createEcsClients(), clock: systemClock, log });
    return { outputs: ecsDeployOutputs(result), summary: ecsDeploySummary(settings, result) };
  } catch (error) {
    if (error instanceof EcsDeployFailed) {
      for (const line of [...error.result.ecsSaid, ...error.result.diagnostics]) log.info(line);
      throw new ActionFailure(error.message, { outputs: ecsDeployOutputs(error.result), summary: ecsDeploySummary(settings, error.result) });
    }
    throw error;
  }
});
