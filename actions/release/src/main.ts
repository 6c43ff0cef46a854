import { runAction } from '../../../src/drivers/actions-runner.js';
import { release } from '../../../src/actions/release/definition.js';

await runAction(release);
