// deploy-static's mode input: mirror (today's in-place sync, the default) or releases (atomic
// releases behind the edge router). Parsed here so settings.ts needs one added line.
import { InputError, type InputCollector } from '../../inputs/errors.js';
import type { SiteRouting } from '../../lib/router/site-settings.js';
import type { SyncSource } from '../../lib/s3-sync/sync.js';

export type DeployMode = 'mirror' | 'releases';

export function parseMode(
  raw: string,
  c: InputCollector,
  routing: SiteRouting | undefined,
  routerGiven: boolean,
  source: SyncSource | undefined,
): DeployMode | undefined {
  const value = (raw.trim() || 'mirror').toLowerCase();
  if (value !== 'mirror' && value !== 'releases') {
    c.add(new InputError('mode', 'must be mirror (sync the site in place) or releases (stage each release, switch with the router)', raw));
    return undefined;
  }
  if (value === 'releases' && !routerGiven)
    c.add(new InputError('mode', 'releases needs the router input too (the router switches between releases)', raw));
  if (value === 'releases' && source?.kind === 's3')
    c.add(
      new InputError(
        'mode',
        'releases needs a local build directory as source, not s3://… (promote a deployed release with the release action)',
        raw,
      ),
    );
  return routing || value === 'mirror' ? value : undefined;
}
