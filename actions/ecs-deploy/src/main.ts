import { runAction } from '../../../src/drivers/actions-runner.js';
import { createEcsClients } from '../../../src/lib/aws/ecs-clients.js';
import { deployToEcs, type EcsDeployResult } from '../../../src/lib/ecs/deploy.js';
import { ecsDeployOutputs, ecsDeploySummary } from '../../../src/actions/ecs-deploy/report.js';
import { parseEcsDeploySettings } from '../../../src/actions/ecs-deploy/settings.js';
import { PartialFailure } from '../../../src/lib/util/partial-failure.js';
import { systemClock } from '../../../src/lib/util/clock.js';

await runAction(async (inputs, log) => {
  const settings = parseEcsDeploySettings(inputs);
  log.debug(`settings: ${JSON.stringify({ ...settings, taskDefinition: settings.taskDefinition ? '(file)' : undefined })}`);
  try {
    const result = await deployToEcs(settings, { clients: createEcsClients(), clock: systemClock, log });
    return { outputs: ecsDeployOutputs(result), summary: ecsDeploySummary(settings, result) };
  } catch (error) {
    if (error instanceof PartialFailure) {
      const result = error.result as EcsDeployResult;
      for (const line of [...result.ecsSaid, ...result.diagnostics]) log.info(line);
      throw new PartialFailure(error.message, { outputs: ecsDeployOutputs(result), summary: ecsDeploySummary(settings, result) });
    }
    throw error;
  }
});
