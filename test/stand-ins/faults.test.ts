// The one fault API every stand-in shares (stand-ins/faults.mjs): the rules and the plan on their
// own, then each stand-in answering an injected fault in its own protocol and serving again after.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsProxy } from '../../stand-ins/aws-proxy.mjs';
import { FakeEcs, THROTTLING } from '../../stand-ins/fake-ecs.mjs';
import { startFakeGitHub } from '../../stand-ins/fake-github.mjs';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { Faults } from '../../stand-ins/faults.mjs';

interface Req {
  operation: string;
  key?: string;
}
const faults = () => new Faults<Req>({ describe: (r) => r.operation, kinds: ['status', 'reset'] });
const take = (f: Faults<Req>, ...requests: Req[]) => requests.map((r) => f.take(r));

describe('Faults', () => {
  it('a rule hits `times` matching requests (default once), then serves them', () => {
    const f = faults().inject({ match: { operation: 'PutObject' }, times: 2, status: 503, code: 'SlowDown' });
    const put = { operation: 'PutObject' };
    expect(take(f, put, { operation: 'GetObject' }, put, put)).toEqual([
      { status: 503, code: 'SlowDown' },
      undefined,
      { status: 503, code: 'SlowDown' },
      undefined,
    ]);
    f.inject({ status: 500 });
    expect(take(f, put, put)).toEqual([{ status: 500 }, undefined]);
  });

  it('matches by predicate, by RegExp on the description, by fields (equal or RegExp)', () => {
    const f = faults()
      .inject({ match: (r) => r.key === 'a', times: Infinity, status: 401 })
      .inject({ match: /^Delete/, times: Infinity, status: 402 })
      .inject({ match: { operation: 'PutObject', key: /\.html$/ }, times: Infinity, status: 403 });
    const statuses = take(
      f,
      { operation: 'GetObject', key: 'a' },
      { operation: 'DeleteObjects' },
      { operation: 'PutObject', key: 'x.html' },
      { operation: 'PutObject', key: 'x.js' },
      { operation: 'GetObject', key: 'b' },
    ).map((fault) => (fault && 'status' in fault ? fault.status : undefined));
    expect(statuses).toEqual([401, 402, 403, undefined, undefined]);
  });

  it('rules come before the plan; the plan counts requests from when it was set; clear drops both', () => {
    const seen: number[] = [];
    const f = faults().inject({ match: { operation: 'A' }, status: 500 });
    take(f, { operation: 'B' });
    f.plan((_r, index) => {
      seen.push(index);
      return index === 1 ? { kind: 'reset' } : undefined;
    });
    expect(take(f, { operation: 'A' }, { operation: 'B' }, { operation: 'B' })).toEqual([{ status: 500 }, { kind: 'reset' }, undefined]);
    expect(seen).toEqual([1, 2]);
    f.inject({ status: 500 });
    f.clear();
    expect(take(f, { operation: 'A' })).toEqual([undefined]);
    expect(seen).toEqual([1, 2]);
  });

  it('refuses a fault the stand-in cannot play', () => {
    const statusOnly = new Faults<Req>({ describe: (r) => r.operation });
    expect(() => statusOnly.inject({ kind: 'drop-response' })).toThrow(/cannot inject a drop-response fault \(it can: status\)/);
    statusOnly.plan(() => ({ kind: 'delay', ms: 1 }));
    expect(() => statusOnly.take({ operation: 'A' })).toThrow(/cannot inject a delay fault/);
  });
});

describe('each stand-in answers the fault in its own protocol, then serves again', () => {
  let upstream: Server;
  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('upstream'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it('the AWS proxy: a service error as XML, a reset, then the upstream', async () => {
    const proxy = await startAwsProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    try {
      proxy.faults
        .inject({ match: { operation: 'GetObject' }, status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' })
        .inject({ match: { operation: 'GetObject' }, kind: 'reset' });
      const failed = await fetch(`${proxy.endpoint}/bucket/key`);
      expect(failed.status).toBe(503);
      expect(await failed.text()).toContain('<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>');
      await expect(fetch(`${proxy.endpoint}/bucket/key`)).rejects.toThrow();
      expect(await (await fetch(`${proxy.endpoint}/bucket/key`)).text()).toBe('upstream');
      expect(proxy.requests.map((r) => [r.operation, r.fault])).toEqual([
        ['GetObject', '503 SlowDown'],
        ['GetObject', 'reset'],
        ['GetObject', undefined],
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('the fake GitHub: a JSON message with the fault headers, recorded on the request', async () => {
    const github = await startFakeGitHub();
    try {
      github.faults.inject({ match: /^GET \/user$/, status: 429, headers: { 'retry-after': '1' } });
      const failed = await fetch(`${github.url}/user`, { headers: { authorization: 'token ghp_user' } });
      expect([failed.status, failed.headers.get('retry-after'), await failed.json()]).toEqual([
        429,
        '1',
        { message: 'fault injected by the test' },
      ]);
      expect((await fetch(`${github.url}/user`, { headers: { authorization: 'token ghp_user' } })).status).toBe(200);
      expect(github.requests.map((r) => r.fault)).toEqual([429, undefined]);
    } finally {
      await github.close();
    }
  });

  it('the fake ECS: the error code as __type', async () => {
    const ecs = await new FakeEcs().start();
    try {
      ecs.faults.inject({ match: { operation: 'ListTasks' }, ...THROTTLING });
      const call = () =>
        fetch(ecs.endpoint, {
          method: 'POST',
          headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListTasks' },
          body: '{"serviceName":"api","desiredStatus":"RUNNING"}',
        });
      const failed = await call();
      expect([failed.status, await failed.json()]).toEqual([400, { __type: 'ThrottlingException', message: 'Rate exceeded' }]);
      const served = await call();
      expect([served.status, await served.json()]).toEqual([200, { taskArns: [] }]);
    } finally {
      await ecs.close();
    }
  });

  it('the fake KeyValueStore: the error code as x-amzn-errortype', async () => {
    const kvs = await startFakeKvs();
    try {
      const arn = kvs.createStore('faults');
      kvs.faults.inject({ match: /^GetKey$/, status: 503, code: 'ServiceUnavailableException' });
      const url = `${kvs.endpoint}/key-value-stores/${encodeURIComponent(arn)}/keys/k`;
      const failed = await fetch(url);
      expect([failed.status, failed.headers.get('x-amzn-errortype')]).toEqual([503, 'ServiceUnavailableException']);
      // Served: this unsigned request gets the store's own answer, 403.
      expect((await fetch(url)).status).toBe(403);
    } finally {
      await kvs.stop();
    }
  });
});
