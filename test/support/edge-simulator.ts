// The edge simulator is a stand-in (stand-ins/edge-simulator.mjs, shared with the demo: what it
// models and where it differs from CloudFront is written there and in stand-ins/README.md); the tests
// run it with the router code the bundles publish (src/generated/router-function.ts).
import { startEdgeSimulator as start } from '../../stand-ins/edge-simulator.mjs';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';

export type { EdgeOption, EdgeSimulator, EdgeRequestRecord } from '../../stand-ins/edge-simulator.mjs';

export const startEdgeSimulator = (options: Parameters<typeof start>[0]) => start({ code: ROUTER_FUNCTION_CODE, ...options });
