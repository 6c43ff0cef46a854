// deploy-static through the edge router: a mirror deploy that also writes the site's routing table,
// and a release. definition.ts loads this module only when the inputs name a router, so the plain
// mirror deploy — most runs — starts without the CloudFront, KeyValueStore (SigV4a) and release code
// (cold start: bench scenario 6).
import { createCloudFrontClient } from '../../lib/aws/cloudfront-client.js';
import { deployRelease, type Provenance } from '../../lib/releases/deploy.js';
import { VerificationFailed } from '../../lib/releases/verify.js';
import { deployWithRouter } from '../../lib/router/routed-deploy.js';
import type { SiteRouting } from '../../lib/router/site-settings.js';
import { createKvsClient } from '../../lib/router/store.js';
import { PartialFailure } from '../../lib/util/partial-failure.js';
import type { Runtime } from '../definition.js';
import type { Clients, DeployStaticResult } from './definition.js';
import type { DeployStaticSettings } from './settings.js';

const edgeClients = () => ({ kvs: createKvsClient(), cloudfront: createCloudFrontClient() });

/** The sync, with the site's routing table checked before it and written after it. */
export function syncRouted<R>(settings: DeployStaticSettings, routing: SiteRouting, deps: Clients & Runtime, sync: () => Promise<R>) {
  return deployWithRouter(settings, routing, { ...deps, ...edgeClients() }, sync);
}

/** Who made a release: the commit and the actor of a workflow step, and the run. */
function provenance(settings: DeployStaticSettings, env: Runtime['env']): Provenance {
  const step = env.as === 'step';
  const { GITHUB_SHA: commit, GITHUB_ACTOR: actor } = env.vars;
  return { ...(step && commit ? { commit } : {}), ...(settings.owner ? { run: settings.owner } : {}), ...(step && actor ? { actor } : {}) };
}

/** A release, staged, verified through the CDN and switched; a failed verification switches nothing and says what is broken. */
export async function release(settings: DeployStaticSettings, routing: SiteRouting, deps: Clients & Runtime): Promise<DeployStaticResult> {
  try {
    const release = await deployRelease(settings, routing, { ...deps, ...edgeClients() }, provenance(settings, deps.env));
    return { mode: 'release', site: routing.site, release };
  } catch (error) {
    if (error instanceof VerificationFailed)
      throw new PartialFailure(error.message, { mode: 'unverified', site: routing.site, failure: error }, { cause: error });
    throw error;
  }
}
