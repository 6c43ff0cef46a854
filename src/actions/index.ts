// Every action, as the drivers see it: the runner runs one (actions/<name>/src/main.ts), the CLI any by
// its command name. Adding an action: its folder here with a definition.ts, its action.yml, a line below.
import type { Action } from './definition.js';
import { deployStatic } from './deploy-static/definition.js';
import { ecsDeploy } from './ecs-deploy/definition.js';
import { invalidate } from './invalidate/definition.js';
import { prPreview } from './pr-preview/definition.js';
import { release } from './release/definition.js';
import { router } from './router/definition.js';

export const actions: readonly Action[] = [deployStatic, invalidate, ecsDeploy, prPreview, router, release];
