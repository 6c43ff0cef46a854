// Sets up the edge router in an AWS account, idempotently: its KeyValueStore, its CloudFront
// Function (created or updated, tested with TestFunction against sample events, then published),
// its hostnames in the store, and its association with a distribution's default behaviour
// (viewer-request and viewer-response, with a fresh ETag, waiting until deployed). And reports its
// state. API: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations_Amazon_CloudFront.html
import {
  CreateFunctionCommand,
  CreateKeyValueStoreCommand,
  DescribeFunctionCommand,
  DescribeKeyValueStoreCommand,
  EntityNotFound,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetFunctionCommand,
  NoSuchFunctionExists,
  PublishFunctionCommand,
  TestFunctionCommand,
  UpdateDistributionCommand,
  UpdateFunctionCommand,
  type CloudFrontClient,
  type DistributionConfig,
  type FunctionAssociation,
  type FunctionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeKeyValueStoreCommand as DescribeStoreData,
  type CloudFrontKeyValueStoreClient,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { createHash } from 'node:crypto';
import { ROUTER_FUNCTION_CODE } from '../../generated/router-function.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../util/clock.js';
import { waitFor } from '../util/wait.js';
import { writeEntries } from './store.js';
import { hostKey, hostValue, type HostRule } from './table.js';

export interface RouterSettings {
  name: string;
  distributionId?: string;
  hosts: HostRule[];
  /** How long to wait for a store to become ready and a distribution to deploy. */
  timeoutMs: number;
}

export interface RouterDeps {
  cloudfront: CloudFrontClient;
  kvs: CloudFrontKeyValueStoreClient;
  log: Logger;
  clock: Clock;
}

/** A short digest of the function code: what "version" means for a CloudFront Function. */
export const codeVersion = (code: string | Uint8Array): string => createHash('sha256').update(code).digest('hex').slice(0, 12);
export const CURRENT_VERSION = codeVersion(ROUTER_FUNCTION_CODE);

const EVENT_TYPES = ['viewer-request', 'viewer-response'] as const;

async function poll<T>(what: string, deps: RouterDeps, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const done = await waitFor({
    clock: deps.clock,
    every: (pause) => Math.min(2_000 * 2 ** pause, 20_000),
    deadline: deps.clock.now() + timeoutMs,
    check,
  });
  if (done === undefined)
    throw new Error(`Gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s; run setup again to continue where it stopped`);
  return done;
}

async function describeStore(name: string, cloudfront: CloudFrontClient) {
  try {
    return (await cloudfront.send(new DescribeKeyValueStoreCommand({ Name: name }))).KeyValueStore;
  } catch (error) {
    if (error instanceof EntityNotFound) return undefined;
    throw error;
  }
}

/** The store's ARN, creating the store (and waiting until it is READY) when it does not exist. */
async function ensureStore(s: RouterSettings, deps: RouterDeps): Promise<{ arn: string; created: boolean }> {
  const describe = () => describeStore(s.name, deps.cloudfront);
  let store = await describe();
  const created = !store;
  if (!store) {
    store = (
      await deps.cloudfront.send(
        new CreateKeyValueStoreCommand({ Name: s.name, Comment: 'Slipway edge router: hosts, sites, pages, redirects, headers' }),
      )
    ).KeyValueStore;
    deps.log.info(`created key value store ${s.name}`);
  }
  if (store?.Status !== 'READY')
    store = await poll(`key value store ${s.name} to be ready`, deps, s.timeoutMs, async () =>
      (await describe())?.Status === 'READY' ? describe() : undefined,
    );
  if (!store?.ARN) throw new Error(`CloudFront returned no ARN for key value store ${s.name}`);
  return { arn: store.ARN, created };
}

const functionConfig = (storeArn: string): FunctionConfig => ({
  Comment: `Slipway edge router ${CURRENT_VERSION}`,
  Runtime: 'cloudfront-js-2.0',
  KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: storeArn }] },
});

async function getFunction(
  name: string,
  stage: 'DEVELOPMENT' | 'LIVE',
  cloudfront: CloudFrontClient,
): Promise<{ code: string; etag: string } | undefined> {
  try {
    const out = await cloudfront.send(new GetFunctionCommand({ Name: name, Stage: stage }));
    return { code: Buffer.from(out.FunctionCode ?? new Uint8Array()).toString('utf8'), etag: out.ETag ?? '' };
  } catch (error) {
    if (error instanceof NoSuchFunctionExists) return undefined;
    throw error;
  }
}

/** Creates the function, or updates its DEVELOPMENT stage when code or store differ; returns its ETag. */
async function ensureFunctionCode(s: RouterSettings, storeArn: string, deps: RouterDeps): Promise<{ etag: string; changed: boolean }> {
  const code = new TextEncoder().encode(ROUTER_FUNCTION_CODE);
  const dev = await getFunction(s.name, 'DEVELOPMENT', deps.cloudfront);
  if (!dev) {
    const out = await deps.cloudfront.send(
      new CreateFunctionCommand({ Name: s.name, FunctionConfig: functionConfig(storeArn), FunctionCode: code }),
    );
    deps.log.info(`created function ${s.name}`);
    return { etag: out.ETag!, changed: true };
  }
  const summary = (await deps.cloudfront.send(new DescribeFunctionCommand({ Name: s.name, Stage: 'DEVELOPMENT' }))).FunctionSummary;
  const stores = summary?.FunctionConfig?.KeyValueStoreAssociations?.Items?.map((a) => a.KeyValueStoreARN) ?? [];
  if (
    dev.code === ROUTER_FUNCTION_CODE &&
    stores.length === 1 &&
    stores[0] === storeArn &&
    summary?.FunctionConfig?.Runtime === 'cloudfront-js-2.0'
  )
    return { etag: dev.etag, changed: false };
  const out = await deps.cloudfront.send(
    new UpdateFunctionCommand({ Name: s.name, IfMatch: dev.etag, FunctionConfig: functionConfig(storeArn), FunctionCode: code }),
  );
  deps.log.info(`updated function ${s.name} to router ${CURRENT_VERSION}`);
  return { etag: out.ETag!, changed: true };
}

/** Sample events the DEVELOPMENT stage must answer as expected before it is published. */
export const SAMPLE_EVENTS = [
  {
    what: 'an unknown host gets a 404 generated at the edge',
    event: {
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '192.0.2.1' },
      request: { method: 'GET', uri: '/about', querystring: {}, headers: { host: { value: 'slipway-selftest.invalid' } }, cookies: {} },
    },
    expect: (out: FunctionOutput) => out.response?.statusCode === 404,
  },
  {
    what: 'a dot segment gets a 404, never reaching the origin',
    event: {
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '192.0.2.1' },
      request: { method: 'GET', uri: '/../.slipway/manifest.json', querystring: {}, headers: {}, cookies: {} },
    },
    expect: (out: FunctionOutput) => out.response?.statusCode === 404,
  },
  {
    what: 'a response of an unknown host passes unchanged',
    event: {
      version: '1.0',
      context: { eventType: 'viewer-response' },
      viewer: { ip: '192.0.2.1' },
      request: { method: 'GET', uri: '/', querystring: {}, headers: { host: { value: 'slipway-selftest.invalid' } }, cookies: {} },
      response: { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' } }, cookies: {} },
    },
    expect: (out: FunctionOutput) => out.response?.statusCode === 200 && out.response.headers?.['content-type']?.value === 'text/html',
  },
] as const;

interface FunctionOutput {
  request?: { uri?: string };
  response?: { statusCode?: number; headers?: Record<string, { value: string }> };
}

async function testFunction(s: RouterSettings, etag: string, deps: RouterDeps): Promise<number> {
  let maxUtilization = 0;
  for (const sample of SAMPLE_EVENTS) {
    const out = await deps.cloudfront.send(
      new TestFunctionCommand({
        Name: s.name,
        IfMatch: etag,
        Stage: 'DEVELOPMENT',
        EventObject: new TextEncoder().encode(JSON.stringify(sample.event)),
      }),
    );
    const result = out.TestResult;
    if (result?.FunctionErrorMessage)
      throw new Error(`TestFunction: ${sample.what}: the function failed (${result.FunctionErrorMessage}); not published`);
    let output: FunctionOutput;
    try {
      output = JSON.parse(result?.FunctionOutput ?? '') as FunctionOutput;
    } catch {
      throw new Error(`TestFunction: ${sample.what}: unreadable output ${JSON.stringify(result?.FunctionOutput)}; not published`);
    }
    if (!sample.expect(output)) throw new Error(`TestFunction: ${sample.what}: got ${result?.FunctionOutput}; not published`);
    maxUtilization = Math.max(maxUtilization, Number(result?.ComputeUtilization ?? 0));
    deps.log.info(`TestFunction: ${sample.what}: ok (compute utilization ${result?.ComputeUtilization ?? '?'})`);
  }
  return maxUtilization;
}

/** The default behaviour's associations with ours for both event types; refuses to replace someone else's. */
export function withRouter(
  config: DistributionConfig,
  functionArn: string,
  distributionId: string,
): { config: DistributionConfig; changed: boolean } {
  const behaviour = config.DefaultCacheBehavior;
  if (!behaviour) throw new Error(`Distribution ${distributionId} has no default cache behaviour`);
  const current = behaviour.FunctionAssociations?.Items ?? [];
  const sameFunction = (arn: string | undefined) => arn?.replace(/:\d+$/, '') === functionArn.replace(/:\d+$/, '');
  for (const a of current) {
    if (EVENT_TYPES.includes(a.EventType as (typeof EVENT_TYPES)[number]) && !sameFunction(a.FunctionARN)) {
      throw new Error(
        `Distribution ${distributionId}'s default behaviour already runs ${a.FunctionARN} at ${a.EventType}; the router needs both viewer events. Remove that association (or merge its logic) and run setup again; nothing was changed.`,
      );
    }
  }
  if (EVENT_TYPES.every((t) => current.some((a) => a.EventType === t && a.FunctionARN === functionArn))) return { config, changed: false };
  const items: FunctionAssociation[] = [
    ...current.filter((a) => !EVENT_TYPES.includes(a.EventType as (typeof EVENT_TYPES)[number])),
    ...EVENT_TYPES.map((t) => ({ EventType: t, FunctionARN: functionArn })),
  ];
  return {
    config: { ...config, DefaultCacheBehavior: { ...behaviour, FunctionAssociations: { Quantity: items.length, Items: items } } },
    changed: true,
  };
}

async function attach(distributionId: string, functionArn: string, s: RouterSettings, deps: RouterDeps): Promise<boolean> {
  const got = await deps.cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
  const { config, changed } = withRouter(got.DistributionConfig!, functionArn, distributionId);
  if (!changed) {
    deps.log.info(`distribution ${distributionId} already runs the router`);
    return false;
  }
  await deps.cloudfront.send(new UpdateDistributionCommand({ Id: distributionId, IfMatch: got.ETag, DistributionConfig: config }));
  deps.log.info(
    `associated ${functionArn} with distribution ${distributionId} (viewer-request, viewer-response); waiting until it is deployed`,
  );
  await poll(`distribution ${distributionId} to deploy`, deps, s.timeoutMs, async () =>
    (await deps.cloudfront.send(new GetDistributionCommand({ Id: distributionId }))).Distribution?.Status === 'Deployed' ? true : undefined,
  );
  return true;
}

/** The router function's LIVE ARN, for distributions that run it (dedicated previews). */
export async function liveFunctionArn(name: string, cloudfront: CloudFrontClient): Promise<string> {
  try {
    return (await cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: 'LIVE' }))).FunctionSummary!.FunctionMetadata!
      .FunctionARN!;
  } catch (error) {
    if (error instanceof NoSuchFunctionExists)
      throw new Error(`The router ${name} has no published function: run the router action with command setup first`, { cause: error });
    throw error;
  }
}

export interface SetupResult {
  storeArn: string;
  storeCreated: boolean;
  functionArn: string;
  version: string;
  codeChanged: boolean;
  published: boolean;
  computeUtilization: number;
  hostsWritten: number;
  attached: boolean;
}

export async function setupRouter(s: RouterSettings, deps: RouterDeps): Promise<SetupResult> {
  const store = await deps.log.group(`Key value store ${s.name}`, () => ensureStore(s, deps));
  const code = await deps.log.group(`Function ${s.name}`, () => ensureFunctionCode(s, store.arn, deps));
  const computeUtilization = await deps.log.group('Test the function against sample events', () => testFunction(s, code.etag, deps));
  const live = await getFunction(s.name, 'LIVE', deps.cloudfront);
  const publish = live?.code !== ROUTER_FUNCTION_CODE || code.changed;
  let functionArn: string;
  if (publish) {
    functionArn = (await deps.cloudfront.send(new PublishFunctionCommand({ Name: s.name, IfMatch: code.etag }))).FunctionSummary!
      .FunctionMetadata!.FunctionARN!;
    deps.log.info(`published router ${CURRENT_VERSION} to LIVE`);
  } else {
    functionArn = (await deps.cloudfront.send(new DescribeFunctionCommand({ Name: s.name, Stage: 'LIVE' }))).FunctionSummary!
      .FunctionMetadata!.FunctionARN!;
    deps.log.info(`LIVE already runs router ${CURRENT_VERSION}`);
  }
  let hostsWritten = 0;
  if (s.hosts.length > 0) {
    const write = await writeEntries(
      deps.kvs,
      store.arn,
      { desired: new Map(s.hosts.map((h) => [hostKey(h.host), hostValue(h)])), owns: () => false },
      deps.log,
    );
    hostsWritten = write.put;
  }
  const attached = s.distributionId
    ? await deps.log.group(`Attach to distribution ${s.distributionId}`, () => attach(s.distributionId!, functionArn, s, deps))
    : false;
  return {
    storeArn: store.arn,
    storeCreated: store.created,
    functionArn,
    version: CURRENT_VERSION,
    codeChanged: code.changed,
    published: publish,
    computeUtilization,
    hostsWritten,
    attached,
  };
}

export interface StatusResult {
  storeArn: string;
  itemCount: number;
  totalBytes: number;
  functionArn: string;
  /** Version of the code in the LIVE stage. */
  liveVersion: string;
  current: boolean;
  /** The function ARNs the distribution's default behaviour runs, by event type. */
  attached?: Partial<Record<(typeof EVENT_TYPES)[number], string>>;
}

export async function routerStatus(s: RouterSettings, deps: RouterDeps): Promise<StatusResult> {
  const store = await describeStore(s.name, deps.cloudfront);
  if (!store?.ARN) throw new Error(`No key value store ${s.name}: run the router action with command setup first`);
  const data = await deps.kvs.send(new DescribeStoreData({ KvsARN: store.ARN }));
  const live = await getFunction(s.name, 'LIVE', deps.cloudfront);
  if (!live) throw new Error(`Function ${s.name} has never been published: run the router action with command setup`);
  const functionArn = (await deps.cloudfront.send(new DescribeFunctionCommand({ Name: s.name, Stage: 'LIVE' }))).FunctionSummary!
    .FunctionMetadata!.FunctionARN!;
  const result: StatusResult = {
    storeArn: store.ARN,
    itemCount: data.ItemCount ?? 0,
    totalBytes: data.TotalSizeInBytes ?? 0,
    functionArn,
    liveVersion: codeVersion(live.code),
    current: live.code === ROUTER_FUNCTION_CODE,
  };
  if (s.distributionId) {
    const got = await deps.cloudfront.send(new GetDistributionConfigCommand({ Id: s.distributionId }));
    const items = got.DistributionConfig?.DefaultCacheBehavior?.FunctionAssociations?.Items ?? [];
    const attached: StatusResult['attached'] = {};
    for (const a of items)
      if (EVENT_TYPES.includes(a.EventType as (typeof EVENT_TYPES)[number]) && a.FunctionARN)
        attached[a.EventType as (typeof EVENT_TYPES)[number]] = a.FunctionARN;
    result.attached = attached;
  }
  return result;
}
