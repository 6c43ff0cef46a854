// router setup and status against a scripted CloudFront account (aws-sdk-client-mock): moto has no
// CloudFront Functions or key value stores and drops function associations. The script follows the
// API reference: functions have a DEVELOPMENT and a LIVE stage, every write is If-Match the
// stage's ETag (PreconditionFailed otherwise), TestFunction runs the DEVELOPMENT code against the
// associated store, a new store is PROVISIONING before READY, an updated distribution is
// InProgress before Deployed. The store's data plane is the HTTP stand-in, reached by the real SDK.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_TestFunction.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_PublishFunction.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html
import {
  CloudFrontClient,
  CreateFunctionCommand,
  CreateKeyValueStoreCommand,
  DescribeFunctionCommand,
  DescribeKeyValueStoreCommand,
  EntityNotFound,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  NoSuchFunctionExists,
  PreconditionFailed,
  PublishFunctionCommand,
  TestFunctionCommand,
  UpdateDistributionCommand,
  UpdateFunctionCommand,
  type DistributionConfig,
  type FunctionConfig,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKvs } from '../../stand-ins/fake-kvs.mjs';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';
import { silentLogger } from '../../src/lib/log/logger.js';
import { CURRENT_VERSION, routerStatus, setupRouter, type RouterSettings } from '../../src/lib/router/setup.js';
import { createKvsClient } from '../../src/lib/router/store.js';
import type { Clock } from '../../src/lib/util/clock.js';
import { isResponse, loadRouter, type EdgeEvent } from '../support/edge-router.js';

type FakeKvs = Awaited<ReturnType<typeof startFakeKvs>>;
let kvs: FakeKvs;
beforeAll(async () => {
  kvs = await startFakeKvs();
});
afterAll(() => kvs.stop());

const ACCOUNT = '123456789012';
const meta = { $metadata: {} };
let etags = 0;
const nextEtag = () => `E${++etags}`;

interface Stage {
  code: string;
  config: FunctionConfig;
  etag: string;
}

/** One AWS account's CloudFront, as far as the router uses it. */
class Account {
  stores = new Map<string, { arn: string; describes: number }>();
  functions = new Map<string, { dev: Stage; live?: Stage }>();
  distribution = { config: baseDistribution(), etag: 'EDIST1', status: 'Deployed', pending: 0 };
  failTest?: string;
  /** What TestFunction answers instead of running the code. */
  testOutput?: string;
  readonly mock = mockClient(CloudFrontClient);

  constructor() {
    const m = this.mock;
    m.on(DescribeKeyValueStoreCommand).callsFake(({ Name }: { Name: string }) => {
      const store = this.stores.get(Name);
      if (!store) throw new EntityNotFound({ message: `The specified key value store ${Name} does not exist.`, ...meta });
      // A new store is PROVISIONING for a while.
      const status = store.describes++ < 1 ? 'PROVISIONING' : 'READY';
      return {
        KeyValueStore: { Name, Id: store.arn.split('/')[1], ARN: store.arn, Status: status, Comment: '', LastModifiedTime: new Date() },
        ETag: 'EKVS',
      };
    });
    m.on(CreateKeyValueStoreCommand).callsFake(({ Name }: { Name: string }) => {
      const arn = kvs.createStore(Name);
      this.stores.set(Name, { arn, describes: 0 });
      return { KeyValueStore: { Name, ARN: arn, Status: 'PROVISIONING' }, ETag: 'EKVS' };
    });
    m.on(GetFunctionCommand).callsFake(({ Name, Stage }: { Name: string; Stage: string }) => {
      const stage = this.stage(Name, Stage);
      return { FunctionCode: new TextEncoder().encode(stage.code), ETag: stage.etag, ContentType: 'application/octet-stream' };
    });
    m.on(DescribeFunctionCommand).callsFake(({ Name, Stage }: { Name: string; Stage: string }) => {
      const stage = this.stage(Name, Stage);
      return {
        FunctionSummary: {
          Name,
          Status: 'UNASSOCIATED',
          FunctionConfig: stage.config,
          FunctionMetadata: { FunctionARN: `arn:aws:cloudfront::${ACCOUNT}:function/${Name}`, Stage, LastModifiedTime: new Date() },
        },
        ETag: stage.etag,
      };
    });
    m.on(CreateFunctionCommand).callsFake(
      ({ Name, FunctionConfig, FunctionCode }: { Name: string; FunctionConfig: FunctionConfig; FunctionCode: Uint8Array }) => {
        const dev = { code: Buffer.from(FunctionCode).toString('utf8'), config: FunctionConfig, etag: nextEtag() };
        this.functions.set(Name, { dev });
        return { FunctionSummary: { Name, FunctionConfig }, ETag: dev.etag };
      },
    );
    m.on(UpdateFunctionCommand).callsFake(
      ({
        Name,
        IfMatch,
        FunctionConfig,
        FunctionCode,
      }: {
        Name: string;
        IfMatch: string;
        FunctionConfig: FunctionConfig;
        FunctionCode: Uint8Array;
      }) => {
        const fn = this.functions.get(Name)!;
        this.ifMatch(IfMatch, fn.dev.etag);
        fn.dev = { code: Buffer.from(FunctionCode).toString('utf8'), config: FunctionConfig, etag: nextEtag() };
        return { FunctionSummary: { Name, FunctionConfig }, ETag: fn.dev.etag };
      },
    );
    m.on(TestFunctionCommand).callsFake(
      async ({ Name, IfMatch, Stage, EventObject }: { Name: string; IfMatch: string; Stage: string; EventObject: Uint8Array }) => {
        const stage = this.stage(Name, Stage);
        this.ifMatch(IfMatch, stage.etag);
        if (this.failTest) return { TestResult: { FunctionErrorMessage: this.failTest, FunctionOutput: '', ComputeUtilization: '0' } };
        if (this.testOutput) return { TestResult: { FunctionOutput: this.testOutput, ComputeUtilization: '9' } };
        const storeArn = stage.config.KeyValueStoreAssociations!.Items![0]!.KeyValueStoreARN!;
        const event = JSON.parse(Buffer.from(EventObject).toString('utf8')) as EdgeEvent;
        const out = await loadRouter(kvs.items(storeArn), stage.code).handler(event);
        return {
          TestResult: {
            FunctionOutput: JSON.stringify(isResponse(out) ? { response: out } : { request: out }),
            ComputeUtilization: '14',
            FunctionExecutionLogs: [],
          },
        };
      },
    );
    m.on(PublishFunctionCommand).callsFake(({ Name, IfMatch }: { Name: string; IfMatch: string }) => {
      const fn = this.functions.get(Name)!;
      this.ifMatch(IfMatch, fn.dev.etag);
      fn.live = { ...fn.dev, etag: nextEtag() };
      return {
        FunctionSummary: { Name, FunctionMetadata: { FunctionARN: `arn:aws:cloudfront::${ACCOUNT}:function/${Name}`, Stage: 'LIVE' } },
      };
    });
    m.on(GetDistributionConfigCommand).callsFake(() => ({
      DistributionConfig: structuredClone(this.distribution.config),
      ETag: this.distribution.etag,
    }));
    m.on(UpdateDistributionCommand).callsFake(
      ({ IfMatch, DistributionConfig }: { IfMatch: string; DistributionConfig: DistributionConfig }) => {
        this.ifMatch(IfMatch, this.distribution.etag);
        Object.assign(this.distribution, { config: DistributionConfig, etag: `EDIST${++etags}`, status: 'InProgress', pending: 2 });
        return { ETag: this.distribution.etag, Distribution: { Status: 'InProgress' } };
      },
    );
    m.on(GetDistributionCommand).callsFake(() => {
      if (this.distribution.pending > 0 && --this.distribution.pending === 0) this.distribution.status = 'Deployed';
      return { Distribution: { Id: 'EDIST', Status: this.distribution.status } };
    });
  }

  private stage(name: string, stage: string): Stage {
    const fn = this.functions.get(name);
    const found = stage === 'LIVE' ? fn?.live : fn?.dev;
    if (!found) throw new NoSuchFunctionExists({ message: `The function ${name} does not exist in stage ${stage}.`, ...meta });
    return found;
  }

  private ifMatch(given: string | undefined, current: string): void {
    if (given !== current)
      throw new PreconditionFailed({ message: `The If-Match version ${given} is missing or not valid (current ${current}).`, ...meta });
  }

  calls = (command: new (input: never) => unknown) => this.mock.commandCalls(command as never);
  order = () => this.mock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
}

function baseDistribution(): DistributionConfig {
  return {
    CallerReference: 'ref',
    Comment: 'site',
    Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'b.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }] },
    DefaultCacheBehavior: {
      TargetOriginId: 's3',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
  };
}

const clock: Clock = { now: () => 0, sleep: () => Promise.resolve() };
let account: Account;
beforeEach(() => {
  account?.mock.restore();
  account = new Account();
});

const settings = (extra: Partial<RouterSettings> = {}): RouterSettings => ({ name: 'web-router', hosts: [], timeoutMs: 600_000, ...extra });
const deps = () => ({
  cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
  kvs: createKvsClient(kvs.endpoint),
  log: silentLogger,
  clock,
});

describe('router setup', () => {
  it('creates the store, creates, tests, publishes and attaches the function, writes the hosts', async () => {
    const result = await setupRouter(
      settings({
        distributionId: 'EDIST',
        hosts: [
          { host: 'www.example.com', site: 'web' },
          { host: 'example.com', redirectTo: 'www.example.com' },
        ],
      }),
      deps(),
    );
    expect(result).toMatchObject({
      storeCreated: true,
      codeChanged: true,
      published: true,
      hostsWritten: 2,
      attached: true,
      version: CURRENT_VERSION,
      functionArn: `arn:aws:cloudfront::${ACCOUNT}:function/web-router`,
    });
    const fn = account.functions.get('web-router')!;
    expect(fn.live!.code).toBe(ROUTER_FUNCTION_CODE);
    expect(fn.live!.config).toMatchObject({
      Runtime: 'cloudfront-js-2.0',
      KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: result.storeArn }] },
    });
    // Tested before it is published, against every sample event.
    const order = account.order();
    expect(order.filter((c) => c === 'TestFunction')).toHaveLength(3);
    expect(order.lastIndexOf('TestFunction')).toBeLessThan(order.indexOf('PublishFunction'));
    expect(order.indexOf('PublishFunction')).toBeLessThan(order.indexOf('UpdateDistribution'));
    expect(account.distribution.config.DefaultCacheBehavior!.FunctionAssociations).toEqual({
      Quantity: 2,
      Items: [
        { EventType: 'viewer-request', FunctionARN: result.functionArn },
        { EventType: 'viewer-response', FunctionARN: result.functionArn },
      ],
    });
    expect(account.distribution.status).toBe('Deployed');
    expect(account.calls(GetDistributionCommand).length).toBeGreaterThanOrEqual(2);
    expect(kvs.items(result.storeArn).get('h:example.com')).toBe('{"r":"www.example.com"}');
    expect(kvs.items(result.storeArn).get('h:www.example.com')).toBe('{"s":"web"}');
  });

  it('is idempotent: a second run changes nothing', async () => {
    await setupRouter(settings({ distributionId: 'EDIST' }), deps());
    account.mock.resetHistory();
    const again = await setupRouter(settings({ distributionId: 'EDIST' }), deps());
    expect(again).toMatchObject({ storeCreated: false, codeChanged: false, published: false, attached: false });
    for (const write of [
      CreateKeyValueStoreCommand,
      CreateFunctionCommand,
      UpdateFunctionCommand,
      PublishFunctionCommand,
      UpdateDistributionCommand,
    ])
      expect(account.calls(write)).toHaveLength(0);
  });

  it('updates an older router with the DEVELOPMENT ETag, then publishes', async () => {
    await setupRouter(settings(), deps());
    const fn = account.functions.get('web-router')!;
    fn.dev = { ...fn.dev, code: '// an older router', etag: 'EOLD' };
    fn.live = { ...fn.dev, etag: 'EOLDLIVE' };
    const result = await setupRouter(settings(), deps());
    expect(result).toMatchObject({ codeChanged: true, published: true });
    expect(account.calls(UpdateFunctionCommand)[0]!.args[0].input).toMatchObject({ Name: 'web-router', IfMatch: 'EOLD' });
    expect(fn.live.code).toBe(ROUTER_FUNCTION_CODE);
  });

  it('does not publish code that fails TestFunction', async () => {
    account.failTest = 'SyntaxError: Unexpected token';
    await expect(setupRouter(settings(), deps())).rejects.toThrow(
      /TestFunction: an unknown host gets a 404 generated at the edge: the function failed \(SyntaxError: Unexpected token\); not published/,
    );
    expect(account.calls(PublishFunctionCommand)).toHaveLength(0);
    expect(account.functions.get('web-router')!.live).toBeUndefined();
  });

  it('does not publish code whose answer to a sample event is wrong', async () => {
    account.testOutput = '{"request":{"uri":"/about"}}';
    await expect(setupRouter(settings(), deps())).rejects.toThrow(
      /TestFunction: an unknown host gets a 404 generated at the edge: got \{"request":\{"uri":"\/about"\}\}; not published/,
    );
    expect(account.calls(PublishFunctionCommand)).toHaveLength(0);
  });

  it('refuses to replace another function on the default behaviour, changing nothing', async () => {
    account.distribution.config.DefaultCacheBehavior!.FunctionAssociations = {
      Quantity: 1,
      Items: [{ EventType: 'viewer-request', FunctionARN: `arn:aws:cloudfront::${ACCOUNT}:function/auth` }],
    };
    await expect(setupRouter(settings({ distributionId: 'EDIST' }), deps())).rejects.toThrow(
      /already runs arn:aws:cloudfront::123456789012:function\/auth at viewer-request/,
    );
    expect(account.calls(UpdateDistributionCommand)).toHaveLength(0);
  });

  it('attaches with the ETag of a fresh read (someone changed the distribution since)', async () => {
    account.distribution.etag = 'EDIST-CHANGED-BY-SOMEONE';
    await setupRouter(settings({ distributionId: 'EDIST' }), deps());
    expect(account.calls(UpdateDistributionCommand)[0]!.args[0].input).toMatchObject({ Id: 'EDIST', IfMatch: 'EDIST-CHANGED-BY-SOMEONE' });
  });

  it('gives up waiting for a distribution that never deploys, saying what to do', async () => {
    let now = 0;
    account.mock.on(GetDistributionCommand).resolves({ Distribution: { Id: 'EDIST', Status: 'InProgress' } as never });
    await expect(
      setupRouter(settings({ distributionId: 'EDIST', timeoutMs: 60_000 }), {
        ...deps(),
        clock: { now: () => now, sleep: (ms) => ((now += ms), Promise.resolve()) },
      }),
    ).rejects.toThrow(/Gave up waiting for distribution EDIST to deploy after 60 s; run setup again/);
  });
});

describe('router status', () => {
  it('reports the store size and items, the LIVE version, whether it is current, what is attached', async () => {
    const setup = await setupRouter(settings({ distributionId: 'EDIST', hosts: [{ host: 'www.example.com', site: 'web' }] }), deps());
    const status = await routerStatus(settings({ distributionId: 'EDIST' }), deps());
    expect(status).toEqual({
      storeArn: setup.storeArn,
      itemCount: 1,
      totalBytes: Buffer.byteLength('h:www.example.com') + Buffer.byteLength('{"s":"web"}'),
      functionArn: setup.functionArn,
      liveVersion: CURRENT_VERSION,
      current: true,
      attached: { 'viewer-request': setup.functionArn, 'viewer-response': setup.functionArn },
    });
    account.functions.get('web-router')!.live!.code = '// older';
    expect(await routerStatus(settings(), deps())).toMatchObject({ current: false });
  });

  it('says to run setup when there is no router yet', async () => {
    await expect(routerStatus(settings(), deps())).rejects.toThrow(
      /No key value store web-router: run the router action with command setup first/,
    );
  });
});
