// The router's key value store has a size budget: 5 MB per store, keys up to 512 bytes, values up
// to 1 KB (CloudFront developer guide, Quotas, "KeyValueStore":
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-kvs;
// the same figures bound an import file: kvs-with-functions-create-s3-kvp.html). Every kept release
// keeps its routing table in the store, so a site with many pages and many kept releases can outgrow
// it. The check runs before anything is uploaded or written, from DescribeKeyValueStore's
// TotalSizeInBytes (one request); only when the write would not fit are all keys read, to say what
// takes the room.
import { DescribeKeyValueStoreCommand, GetKeyCommand, type CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { readAllEntries } from '../router/store.js';
import { LIMITS, siteKey } from '../router/table.js';
import { RELEASE_ID } from './layout.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
export const entriesBytes = (entries: ReadonlyMap<string, string>): number =>
  [...entries].reduce((n, [k, v]) => n + bytes(k) + bytes(v), 0);

export class StoreBudgetExceeded extends Error {
  constructor(
    readonly figures: {
      current: number;
      adding: number;
      after: number;
      limit: number;
      releaseTables: number;
      tables: number;
      largest: string;
    },
  ) {
    super(
      `The router's key value store holds ${figures.current} bytes; this release's routing table adds ${figures.adding}: ${figures.after} bytes, over CloudFront's ${figures.limit}-byte (5 MB) limit per store. ` +
        `Nothing was uploaded or switched. ${figures.tables} release routing tables take ${figures.releaseTables} bytes of it${figures.largest ? ` (largest: ${figures.largest})` : ''}: ` +
        'run the release action with command gc and a lower keep-releases, remove sites or previews the router no longer serves, or give large sites a router of their own.',
    );
    this.name = 'StoreBudgetExceeded';
  }
}

async function keyExists(kvs: CloudFrontKeyValueStoreClient, arn: string, key: string): Promise<boolean> {
  try {
    await kvs.send(new GetKeyCommand({ KvsARN: arn, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/**
 * Fails with the figures when writing the routing table `entries` of release site `rsite` (and one
 * pointer of at most `pointerBytes`) would take the store over its size limit.
 * @returns the store's size after the write, as far as it can be known before it
 */
export async function checkStoreBudget(
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  rsite: string,
  entries: ReadonlyMap<string, string>,
  pointerBytes = 200,
): Promise<{ current: number; after: number }> {
  const current = (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }))).TotalSizeInBytes ?? 0;
  // A table already in the store (the same build again, a rollback) is already counted.
  const adding = (await keyExists(kvs, arn, siteKey(rsite))) ? 0 : entriesBytes(entries);
  const after = current + adding + pointerBytes;
  if (after <= LIMITS.storeBytes) return { current, after };
  const all = await readAllEntries(kvs, arn);
  const perTable = new Map<string, number>();
  for (const [k, v] of all) {
    const m = /^[sp]:([^:]+~[0-9a-f]{16})(?::|$)/.exec(k);
    if (m && RELEASE_ID.test(m[1]!.slice(-16))) perTable.set(m[1]!, (perTable.get(m[1]!) ?? 0) + bytes(k) + bytes(v));
  }
  const largest = [...perTable].sort((a, b) => b[1] - a[1])[0];
  throw new StoreBudgetExceeded({
    current,
    adding,
    after,
    limit: LIMITS.storeBytes,
    releaseTables: [...perTable.values()].reduce((a, b) => a + b, 0),
    tables: perTable.size,
    largest: largest ? `${largest[0]}, ${largest[1]} bytes` : '',
  });
}
