// ecs-deploy: a new task definition revision rolled out to one or more ECS services, watched to the end.
import { defineAction } from '../definition.js';
import { createEcsClients, type EcsClients } from '../../lib/aws/ecs-clients.js';
import { deployToEcs } from '../../lib/ecs/deploy.js';
import { onPartialFailure } from '../../lib/util/partial-failure.js';
import { ecsDeployOutputs, ecsDeploySummary } from './report.js';
import { parseEcsDeploySettings } from './settings.js';

export const ecsDeploy = defineAction({
  name: 'ecs-deploy',
  settings: parseEcsDeploySettings,
  // The task definition file is shown as such, not its body.
  logged: (settings) => ({ ...settings, taskDefinition: settings.taskDefinition ? '(file)' : undefined }),
  clients: (): { clients: EcsClients } => ({ clients: createEcsClients() }),
  run: (settings, deps) =>
    onPartialFailure(deployToEcs(settings, deps), ({ ecsSaid, diagnostics }) => {
      // A failed step's log says what ECS said; a command prints it in its summary.
      if (deps.env.as === 'step') for (const line of [...ecsSaid, ...diagnostics]) deps.log.info(line);
    }),
  outputs: (_settings, result) => ecsDeployOutputs(result),
  summary: ecsDeploySummary,
  examples: ['slipway ecs-deploy --cluster staging --service api --container-name api --image api:1.4.2 --dry-run'],
});
