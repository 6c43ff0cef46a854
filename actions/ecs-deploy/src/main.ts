import { runAction } from '../../../src/drivers/actions-runner.js';
import { ecsDeploy } from '../../../src/actions/ecs-deploy/definition.js';

await runAction(ecsDeploy);
