// The framework deploy-static detects (or is told) also decides how the router lays out pages: a
// Next.js export whose only pages are index.html and 404.html is still a multi-page build (an unknown
// path is a 404, not the home page), a Vite build with a static privacy.html is still a single-page app.
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { prepareSiteTable } from '../../src/lib/router/routed-deploy.js';
import type { SyncSettings } from '../../src/lib/s3-sync/sync.js';
import { writeSite } from '../support/s3.js';

const settings = (dir: string, framework: SyncSettings['framework'] = 'auto'): SyncSettings => ({
  source: { kind: 'local', dir },
  bucket: 'site-bucket',
  prefix: '',
  delete: 'ours',
  framework,
  headers: [],
  cacheControl: [],
  contentType: [],
  exclude: [],
  keep: [],
  staleGraceMs: 0,
  concurrency: 4,
  dryRun: true,
});
const routing = { router: 'slipway-router', site: 'site-bucket', slash: 'keep' as const };
const table = (dir: string, framework?: SyncSettings['framework']) =>
  prepareSiteTable(settings(dir, framework), routing, new S3Client({ region: 'us-east-1' }));

describe('page layout from the framework', () => {
  it('a Next.js export with only index.html and 404.html is a multi-page build', async () => {
    const dir = writeSite({ 'index.html': 'home', '404.html': 'nope', '_next/static/chunks/main-6a1f2c3b4d5e6f70.js': 'js' });
    expect((await table(dir)).layout.mode).toBe('pages');
  });
  it('a Vite build with a static privacy.html is a single-page app', async () => {
    const dir = writeSite({ 'index.html': 'app', 'privacy.html': 'legal', 'assets/index-BQw3kz1a.js': 'js' });
    expect((await table(dir)).layout.mode).toBe('spa');
  });
  it('without a framework the HTML files decide, and the framework input overrides detection', async () => {
    const dir = writeSite({ 'index.html': 'app', 'privacy.html': 'legal' });
    expect((await table(dir)).layout.mode).toBe('pages');
    expect((await table(dir, 'vite')).layout.mode).toBe('spa');
  });
});
