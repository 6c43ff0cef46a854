// Writes routing entries into the router's CloudFront KeyValueStore through its data-plane API:
// every write is If-Match the store's ETag (a conflicting writer makes us re-read it and retry),
// at most 50 keys per UpdateKeys, new entries first, the site's config key last, stale keys after.
// The data plane is signed with SigV4A: importing @aws-sdk/signature-v4a registers the signer, and
// keeps it in every bundle that writes to a store.
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DescribeKeyValueStoreCommand,
  ListKeysCommand,
  UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { DescribeKeyValueStoreCommand as DescribeStoreByName, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { lookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Logger } from '../log/logger.js';
import { LIMITS } from './table.js';
import { STORE_ARN } from './names.js';

/** At most this many keys in one UpdateKeys (ServiceQuotaExceededException beyond). */
export const UPDATE_BATCH = 50;
const CONFLICT_RETRIES = 8;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The data plane's endpoint puts the account in the host name (<account>.cloudfront-kvs.global.api.aws,
 * and <account>.localhost:port for a local endpoint). Names under .localhost are loopback (RFC 6761)
 * but the system resolver may not know that: answer them here, resolve everything else as usual.
 */
export function loopbackAwareLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  if (hostname !== 'localhost' && !hostname.endsWith('.localhost')) return lookup(hostname, options, callback as never);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

/** AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE / AWS_ENDPOINT_URL are honoured by the SDK. */
export function createKvsClient(endpoint?: string): CloudFrontKeyValueStoreClient {
  const agent = { keepAlive: true, lookup: loopbackAwareLookup as never };
  return new CloudFrontKeyValueStoreClient({
    region: 'us-east-1',
    maxAttempts: 5,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
      connectionTimeout: 10_000,
      requestTimeout: 60_000,
    }),
    ...(endpoint ? { endpoint } : {}),
  });
}

/** The store's ARN: given as is, or looked up by the router's name (its store has the same name). */
export async function resolveStoreArn(router: string, cloudfront: CloudFrontClient): Promise<string> {
  if (STORE_ARN.test(router)) return router;
  const out = await cloudfront.send(new DescribeStoreByName({ Name: router }));
  const arn = out.KeyValueStore?.ARN;
  if (!arn) throw new Error(`CloudFront returned no key value store for the router ${router}`);
  return arn;
}

export async function readAllEntries(client: CloudFrontKeyValueStoreClient, arn: string): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListKeysCommand({ KvsARN: arn, MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
    for (const item of page.Items ?? []) if (item.Key !== undefined && item.Value !== undefined) items.set(item.Key, item.Value);
    token = page.NextToken;
  } while (token);
  return items;
}

export interface WriteResult {
  put: number;
  deleted: number;
  unchanged: number;
  itemCount: number;
  totalBytes: number;
  /** UpdateKeys answered 409 this many times (another writer moved the ETag) and were retried. */
  conflicts: number;
}

export interface EntriesChange {
  /** What the store should hold for the owned keys. */
  desired: ReadonlyMap<string, string>;
  /** Keys this write owns: those not desired are deleted. */
  owns: (key: string) => boolean;
  /** Written after every other put (the key that switches readers to the new entries). */
  last?: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const batches = <T>(items: T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / UPDATE_BATCH) }, (_, i) => items.slice(i * UPDATE_BATCH, (i + 1) * UPDATE_BATCH));

function plan(current: ReadonlyMap<string, string>, change: EntriesChange) {
  const puts = [...change.desired].filter(([k, v]) => current.get(k) !== v).map(([Key, Value]) => ({ Key, Value }));
  puts.sort((a, b) => Number(a.Key === change.last) - Number(b.Key === change.last));
  const deletes = [...current.keys()].filter((k) => change.owns(k) && !change.desired.has(k)).map((Key) => ({ Key }));
  let size = 0;
  for (const [k, v] of current) if (!deletes.some((d) => d.Key === k)) size += bytes(k) + bytes(change.desired.get(k) ?? v);
  for (const p of puts) if (!current.has(p.Key)) size += bytes(p.Key) + bytes(p.Value);
  return { puts, deletes, size };
}

export async function writeEntries(
  client: CloudFrontKeyValueStoreClient,
  arn: string,
  change: EntriesChange,
  log: Logger,
): Promise<WriteResult> {
  const current = await readAllEntries(client, arn);
  const { puts, deletes, size } = plan(current, change);
  if (size > LIMITS.storeBytes) {
    throw new Error(
      `The router's key value store would hold ${size} bytes after this write; CloudFront allows ${LIMITS.storeBytes} (5 MB). Nothing was written: remove old sites or previews from the store, or split them across routers.`,
    );
  }
  let etag = (await client.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag;
  let conflicts = 0;
  let last = { ItemCount: current.size, TotalSizeInBytes: size };
  const send = async (body: { Puts?: { Key: string; Value: string }[]; Deletes?: { Key: string }[] }) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await client.send(new UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, ...body }));
        etag = out.ETag;
        last = { ItemCount: out.ItemCount ?? last.ItemCount, TotalSizeInBytes: out.TotalSizeInBytes ?? last.TotalSizeInBytes };
        return;
      } catch (error) {
        if (!(error instanceof ConflictException) || attempt >= CONFLICT_RETRIES) throw error;
        conflicts++;
        log.info(`the store changed under this write (ETag ${etag}); reading its ETag again`);
        etag = (await client.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag;
      }
    }
  };
  for (const batch of batches(puts)) await send({ Puts: batch });
  for (const batch of batches(deletes)) await send({ Deletes: batch });
  return {
    put: puts.length,
    deleted: deletes.length,
    unchanged: change.desired.size - puts.length,
    itemCount: last.ItemCount,
    totalBytes: last.TotalSizeInBytes,
    conflicts,
  };
}
