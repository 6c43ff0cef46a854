// The live pointer of a site in releases mode: the key s:<site> of the router's store, holding
// {"l":"<owner>~<id>","b":"<previous id>"}: <owner>~<id> is the routing table of release <id>, named
// after the site that staged it (the site itself, or the site it was promoted from: a promotion by
// pointer links production to staging's table). b is a bare id when its owner is the site itself,
// else <owner>~<id>. Switching is one UpdateKeys, If-Match the store's ETag
// read together with the pointer: if the pointer moved since the deploy read it, the switch is
// refused (another deploy won); if only other keys moved, the ETag is read again and the write retried.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_kvs_UpdateKeys.html
import {
  ConflictException,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ResourceNotFoundException,
  UpdateKeysCommand,
  type CloudFrontKeyValueStoreClient,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { siteKey } from '../router/table.js';
import { RELEASE_ID, releaseSite } from './layout.js';

const RETRIES = 8;

export interface Pointer {
  /** The live release id; '' when the site has none (never deployed, or deployed in mirror mode). */
  live: string;
  /** The site whose routing table of `live` the pointer links to (the site itself unless promoted by pointer). */
  liveOwner: string;
  /** The release that was live before it ('' when none). */
  before: string;
  beforeOwner: string;
}

/** `<owner>~<id>` split; undefined when it is not a release table's name. */
export function parseReleaseSite(value: string | undefined, defaultOwner: string): { owner: string; id: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const at = value.lastIndexOf('~');
  const owner = at < 0 ? defaultOwner : value.slice(0, at);
  const id = value.slice(at + 1);
  return RELEASE_ID.test(id) && owner !== '' ? { owner, id } : undefined;
}

export class ActivationConflict extends Error {
  constructor(site: string, expected: string, found: string, id: string) {
    super(
      `Site ${site}: its live release changed from ${expected || '(none)'} to ${found || '(none)'} while this deploy ran (another deploy activated first). Nothing was switched: release ${id} stays staged; run the deploy again to make it live.`,
    );
    this.name = 'ActivationConflict';
  }
}

export function parsePointer(site: string, value: string | undefined): Pointer {
  const none = { live: '', liveOwner: site, before: '', beforeOwner: site };
  if (value === undefined) return none;
  let parsed: { l?: unknown; b?: unknown };
  try {
    parsed = JSON.parse(value) as { l?: unknown; b?: unknown };
  } catch {
    return none;
  }
  // A value without "l" is a mirror-mode site's config: no release is live.
  const live = typeof parsed.l === 'string' && parsed.l.includes('~') ? parseReleaseSite(parsed.l, site) : undefined;
  const before = parseReleaseSite(typeof parsed.b === 'string' ? parsed.b : undefined, site);
  return { live: live?.id ?? '', liveOwner: live?.owner ?? site, before: before?.id ?? '', beforeOwner: before?.owner ?? site };
}

/** The pointer of `site` to release `id` of `owner`'s table, remembering `before` (of `beforeOwner`). */
export function pointerValue(site: string, id: string, before: string, owner = site, beforeOwner = site): string {
  return JSON.stringify({
    l: releaseSite(owner, id),
    ...(before ? { b: beforeOwner === site ? before : releaseSite(beforeOwner, before) } : {}),
  });
}

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
 * Points the site at release `id` (the routing table `<owner>~<id>`), provided its live release is still `expected`.
 * @returns the number of ETag conflicts retried (writes to other keys in between)
 */
export async function switchPointer(
  kvs: CloudFrontKeyValueStoreClient,
  arn: string,
  site: string,
  id: string,
  expected: string,
  owner = site,
): Promise<{ conflicts: number }> {
  for (let attempt = 0; ; attempt++) {
    const etag = (await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }))).ETag;
    const now = await readPointer(kvs, arn, site);
    // Already there: a write whose answer was lost (the retry then meets a new ETag), or the same build.
    if (now.live === id && now.liveOwner === owner) return { conflicts: attempt };
    if (now.live !== expected) throw new ActivationConflict(site, expected, now.live, id);
    try {
      await kvs.send(
        new UpdateKeysCommand({
          KvsARN: arn,
          IfMatch: etag,
          Puts: [
            {
              Key: siteKey(site),
              Value:
                now.live === id
                  ? pointerValue(site, id, now.before, owner, now.beforeOwner)
                  : pointerValue(site, id, now.live, owner, now.liveOwner),
            },
          ],
        }),
      );
      return { conflicts: attempt };
    } catch (error) {
      if (!(error instanceof ConflictException) || attempt >= RETRIES) throw error;
    }
  }
}
