// The edge stand-in (stand-ins/edge-simulator.mjs) as the demo starts it: its own router code (the
// source, less comments, as the build publishes it), POPs that see the key value store late, the
// origin's 403 for a missing key, and the request log the demo reads.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeSimulator } from '../../stand-ins/edge-simulator.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { publishedRouterCode } from '../../scripts/lib/router-code.mjs';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';
import { inspector, newBucket } from '../support/s3.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

/** A site served from folder `build` of the bucket (mirror mode, single-page app). */
const mirror = (build: string) => JSON.stringify({ p: `${build}/`, m: 'spa', t: 'keep' });

describe('edge simulator', () => {
  it('runs the router the build publishes', () => {
    expect(publishedRouterCode()).toBe(ROUTER_FUNCTION_CODE);
  });

  it('each POP sees a store write only after its lag; every answer names its POP; the request log says what was asked', async () => {
    const bucket = await newBucket();
    for (const build of ['a', 'b'])
      await inspector().send(
        new PutObjectCommand({ Bucket: bucket, Key: `${build}/index.html`, Body: `<title>${build}</title>`, ContentType: 'text/html' }),
      );
    const arn = kvs.createStore('edge');
    kvs.writeBehind(arn, 'h:www.example.com', JSON.stringify({ s: 'web' }));
    kvs.writeBehind(arn, 's:web', mirror('a'));
    // FAR sees the store as it was 400 ms ago: let it catch up with the set-up first.
    await new Promise((r) => setTimeout(r, 450));
    const edge = await startEdgeSimulator({
      store: () => kvs.items(arn),
      storeAt: (t) => kvs.itemsAt(arn, t),
      s3: inspector(),
      bucket,
      edges: [
        { pop: 'NEAR', lagMs: 0 },
        { pop: 'FAR', lagMs: 400 },
      ],
    });
    try {
      const at = async (pop: string) => {
        const r = await edge.get('www.example.com', '/', { pop });
        return `${r.headers.get('x-amz-cf-pop')} ${r.status} ${r.body}`;
      };
      expect(await at('NEAR')).toBe('NEAR 200 <title>a</title>');
      kvs.writeBehind(arn, 's:web', mirror('b'));
      expect(await at('NEAR')).toBe('NEAR 200 <title>b</title>');
      expect(await at('FAR')).toBe('FAR 200 <title>a</title>');
      await new Promise((r) => setTimeout(r, 450));
      expect(await at('FAR')).toBe('FAR 200 <title>b</title>');
      // A missing key is S3's 403 to an origin access control without s3:ListBucket.
      expect((await edge.get('www.example.com', '/gone.js', { pop: 'NEAR' })).status).toBe(403);
      // Round robin without x-edge-pop; the log has each request's POP, host and origin fetch.
      const pops = [];
      for (let i = 0; i < 4; i++)
        pops.push((await fetch(`${edge.url}/`, { headers: { 'x-viewer-host': 'www.example.com' } })).headers.get('x-amz-cf-pop'));
      expect(pops).toEqual(['NEAR', 'FAR', 'NEAR', 'FAR']);
      expect(edge.requests.slice(0, 2).map((q) => [q.pop, q.host, q.path, q.status, q.verify, q.origin])).toEqual([
        ['NEAR', 'www.example.com', '/', 200, false, '/a/index.html'],
        ['NEAR', 'www.example.com', '/', 200, false, '/b/index.html'],
      ]);
    } finally {
      await edge.stop();
    }
  });
});
