import { runAction } from '../../../src/drivers/actions-runner.js';
import { deployStatic } from '../../../src/actions/deploy-static/definition.js';

await runAction(deployStatic);
