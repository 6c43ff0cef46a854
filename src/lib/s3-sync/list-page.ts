// One ListObjectsV2 page, with its objects read by a parser of their own. The SDK's deserializer
// builds a document tree of the whole answer, then a typed output with a Date per object, for
// fields a plan never reads: at 100,000 objects that was 1.4 s of a 7.5 s dry run (CPU profile of
// bench scenario 5). Here each <Contents> element gives only its Key, ETag and Size, and the SDK
// reads the rest of the answer (IsTruncated, NextContinuationToken) as usual, as it does every
// error. Keys are asked for URL-encoded (encoding-type=url), so a key holding characters XML 1.0
// cannot carry still lists exactly (S3 API reference, ListObjectsV2: EncodingType).
import { ListObjectsV2Command, type ListObjectsV2CommandInput, type S3Client } from '@aws-sdk/client-s3';

export interface ListedObject {
  /** The full key, decoded. */
  key: string;
  /** As S3 sends it, quotes included. */
  etag: string;
  size: number;
}

export interface ListPage {
  objects: ListedObject[];
  truncated: boolean;
  nextToken: string | undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data as text: the five named entities and numeric character references. */
export function xmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : ENTITIES[e]!,
  );
}

/**
 * A key as `encoding-type=url` sends it. S3 form-encodes it: a space is `+`, a `+` is `%2B`
 * (measured on S3, not only read: https://github.com/brekkylab/backlot/issues/178).
 */
export const urlDecodedKey = (encoded: string): string =>
  /[%+]/.test(encoded) ? decodeURIComponent(encoded.replace(/\+/g, ' ')) : encoded;

/** The text of the first `<name>` element inside `xml[from, to)`, or undefined. */
function element(xml: string, name: string, from: number, to: number): string | undefined {
  const open = xml.indexOf(`<${name}>`, from);
  if (open < 0 || open >= to) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 || end > to ? undefined : xml.slice(start, end);
}

/**
 * The objects of a ListObjectsV2 answer, and the answer without them. The children of a
 * <Contents> element are found by name, in whatever order they come; `encoded`: the answer says
 * <EncodingType>url</EncodingType> (an endpoint that ignores the parameter sends keys as they are).
 */
export function takeContents(xml: string): { objects: ListedObject[]; rest: string } {
  const objects: ListedObject[] = [];
  const parts: string[] = [];
  let from = 0;
  for (let start = xml.indexOf('<Contents>'); start >= 0; start = xml.indexOf('<Contents>', from)) {
    const end = xml.indexOf('</Contents>', start);
    if (end < 0) throw new Error('ListObjectsV2 answer cut short: a <Contents> element is not closed');
    parts.push(xml.slice(from, start));
    const key = element(xml, 'Key', start, end);
    if (key === undefined) throw new Error('ListObjectsV2 answer has an object without a <Key>');
    objects.push({
      key: xmlText(key),
      etag: xmlText(element(xml, 'ETag', start, end) ?? ''),
      size: Number(element(xml, 'Size', start, end) ?? 0),
    });
    from = end + '</Contents>'.length;
  }
  parts.push(xml.slice(from));
  const rest = parts.join('');
  // EncodingType is one of the answer's own fields, outside the objects.
  if (rest.includes('<EncodingType>url</EncodingType>')) for (const o of objects) o.key = urlDecodedKey(o.key);
  return { objects, rest };
}

interface RawResponse {
  statusCode?: number;
  body?: unknown;
}

async function bodyText(body: unknown): Promise<string | undefined> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** One page of keys under `Prefix`, from the start, from `StartAfter` or from a continuation token. */
export async function listPage(
  client: S3Client,
  input: Pick<ListObjectsV2CommandInput, 'Bucket' | 'Prefix' | 'StartAfter' | 'ContinuationToken'>,
): Promise<ListPage> {
  const command = new ListObjectsV2Command({ ...input, EncodingType: 'url' });
  let objects: ListedObject[] = [];
  // Innermost in the deserialize step: it sees the HTTP answer before any SDK middleware reads it.
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      if (response.statusCode !== 200) return result;
      const text = await bodyText(response.body);
      if (text === undefined) return result;
      if (!text.includes('<ListBucketResult')) {
        response.body = Buffer.from(text); // an error inside a 200: the SDK reads it as one
        return result;
      }
      const taken = takeContents(text);
      objects = taken.objects;
      response.body = Buffer.from(taken.rest);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'slipwayListContents' },
  );
  const output = await client.send(command);
  return { objects, truncated: output.IsTruncated === true, nextToken: output.NextContinuationToken };
}
