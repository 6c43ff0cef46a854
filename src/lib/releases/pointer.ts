// The live pointer of a site in releases mode: the key s:<site> of the router's store, holding
// {"l":"<site>~<id>","b":"<previous id>"}. Switching is one UpdateKeys, If-Match the store's ETag
// read together with the pointer: if the pointer moved since the deploy read it, the switch is
// refused (another deploy won); if only other keys moved, the ETag is read again and the write retried.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_kvs_UpdateKeys.html
import { ConflictException, DescribeKeyValueStoreCommand, GetKeyCommand, ResourceNotFoundException, UpdateKeysCommand, type CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { siteKey } from '../router/table.js';
import { RELEASE_ID, releaseSite } from './layout.js';

const RETRIES = 8;

export interface Pointer {
  /** The live release id; '' when the site has none (never deployed, or deployed in mirror mode). */
  live: string;
  /** The release that was live before it ('' when none). */
  before: string;
}

export class ActivationConflict extends Error {
  constructor(site: string, expected: string, found: string, id: string) {
    super(`Site ${site}: its live release changed from ${expected || '(none)'} to ${found || '(none)'} while this deploy ran (another deploy activated first). Nothing was switched: release ${id} stays staged; run the deploy again to make it live.`);
    this.name = 'ActivationConflict';
  }
}

export function parsePointer(site: string, value: string | undefined): Pointer {
  if (value === undefined) return { live: '', before: '' };
  const parsed = JSON.parse(value) as { l?: string; b?: string };
  const prefix = `${site}~`;
  const live = parsed.l?.startsWith(prefix) ? parsed.l.slice(prefix.length) : '';
  return { live: RELEASE_ID.test(live) ? live : '', before: parsed.b ?? '' };
}

export const pointerValue = (site: string, id: string, before: string): string => JSON.stringify({ l: releaseSite(site, id), ...(before ? { b: before } : {}) });

async function readValue(kvs: CloudFrontKeyValueStoreClient, arn: string, key: string): Promise<string | undefined> {
  try {
    return (await kvs.send(new GetKeyCommand({ KvsARN: arn, Key: key }))).Value;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function readPointer(kvs: CloudFrontKeyValueStoreClient, arn: string, site: string): Promise<Pointer> {
  return parsePointer(site, await readValue(kvs, arn, siteKey(site)));
}

/**
 * Points the site at release `id`, provided its live release is still `expected`.
 * @returns the number of ETag conflicts retried (writes to other keys in between)
 */
export async function switchPointer(kvs: CloudFrontKeyValueStoreClient, arn: string, site: string, id: string, expected: string): Promise<{ conflicts: number }> {
  for (let attempt = 0; ; attempt++) {
    const etag = (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag;
    const now = await readPointer(kvs, arn, site);
    if (now.live !== expected) throw new ActivationConflict(site, expected, now.live, id);
    if (now.live === id) return { conflicts: attempt };
    try {
      await kvs.send(new UpdateKeysCommand({ KvsARN: arn, IfMatch: etag, Puts: [{ Key: siteKey(site), Value: pointerValue(site, id, expected) }] }));
      return { conflicts: attempt };
    } catch (error) {
      if (!(error instanceof ConflictException) || attempt >= RETRIES) throw error;
    }
  }
}
