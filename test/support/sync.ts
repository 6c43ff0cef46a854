// The settings of a sync as deploy-static would make them, with the defaults of action.yml, for tests
// that call the library directly.
import type { SyncSettings } from '../../src/lib/s3-sync/sync.js';

const DAY = 86_400_000;

export function syncSettings(dir: string, bucket: string, overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    source: { kind: 'local', dir },
    bucket,
    prefix: '',
    delete: 'ours',
    framework: 'auto',
    headers: [],
    cacheControl: [],
    contentType: [],
    exclude: [],
    keep: [],
    staleGraceMs: 7 * DAY,
    concurrency: 8,
    dryRun: false,
    ...overrides,
  };
}
