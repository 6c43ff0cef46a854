import { runAction } from '../../../src/drivers/actions-runner.js';
import { prPreview } from '../../../src/actions/pr-preview/definition.js';

await runAction(prPreview);
