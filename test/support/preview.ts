// A preview run as pr-preview's settings make it, with action.yml's defaults, for tests that call
// the preview library directly: each test names its strategy and what it changes.
import { PREVIEW_LIMITS } from '../../src/actions/pr-preview/settings.js';
import type { PreviewRun, PreviewStrategy } from '../../src/lib/preview/request.js';

export function previewRun(strategy: PreviewStrategy, domain: string, overrides: Partial<PreviewRun> = {}): PreviewRun {
  return {
    strategy,
    repo: { owner: 'acme', repo: 'web' },
    domain,
    comment: true,
    deployment: true,
    dryRun: false,
    serverUrl: 'https://github.com',
    guardHeadSha: false,
    expireAfterMs: 0,
    cacheControl: [],
    exclude: [],
    concurrency: 8,
    limits: PREVIEW_LIMITS,
    ...overrides,
  };
}
