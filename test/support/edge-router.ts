// The edge router's runtime is the stand-in's (stand-ins/edge-simulator.mjs, shared with the demo);
// the tests load the code the bundles publish (src/generated/router-function.ts) unless told otherwise.
import { loadRouter as load, type LoadedRouter } from '../../stand-ins/edge-simulator.mjs';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';

export { isResponse, viewerRequest, viewerResponse } from '../../stand-ins/edge-simulator.mjs';
export type { EdgeEvent, EdgeRequest, EdgeResponse, Field, LoadedRouter } from '../../stand-ins/edge-simulator.mjs';

/** Loads the router against `store` (read at call time, so tests may change it between requests). */
export const loadRouter = (store: ReadonlyMap<string, string>, code: string = ROUTER_FUNCTION_CODE): LoadedRouter => load(store, code);
