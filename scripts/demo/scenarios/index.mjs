// The demo's scenarios, in the order they run. To add one: a file beside these that default-exports a
// Scenario (see ../harness.mjs), and one line here. A scenario may read what an earlier one left
// behind (production promotes what staging deployed) and ask whether it passed (`passed('staging')`).
import api from './api.mjs';
import preview from './preview.mjs';
import production from './production.mjs';
import releases from './releases.mjs';
import staging from './staging.mjs';

/** @type {import('../harness.mjs').Scenario[]} */
export const scenarios = [staging, preview, production, releases, api];
