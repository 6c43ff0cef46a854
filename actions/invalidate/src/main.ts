import { runAction } from '../../../src/drivers/actions-runner.js';
import { invalidate } from '../../../src/actions/invalidate/definition.js';

await runAction(invalidate);
