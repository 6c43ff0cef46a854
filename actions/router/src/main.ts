import { runAction } from '../../../src/drivers/actions-runner.js';
import { router } from '../../../src/actions/router/definition.js';

await runAction(router);
