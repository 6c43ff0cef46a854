// Helpers for tests against moto: unique buckets, sites on disk, and the bucket's full state.
import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import { awsEnvFor } from '../../stand-ins/moto.mjs';
import { createS3Client } from '../../src/lib/aws/s3-client.js';

export const motoEndpoint = (): string => inject('motoEndpoint');

/** A client the way the actions make it, pointed at `endpoint` (moto, or a proxy in front of it). */
export function s3At(endpoint: string, concurrency = 16): S3Client {
  return createS3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', concurrency }, { ...process.env, ...awsEnvFor(endpoint) });
}

/** A client for setting up and inspecting buckets, straight to moto (not counted by proxies). */
export const inspector = (): S3Client => s3At(motoEndpoint());

export async function newBucket(client: S3Client = inspector()): Promise<string> {
  const name = `t-${randomBytes(6).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export type SiteFiles = Record<string, string | Buffer>;

export function writeSite(files: SiteFiles, dir = mkdtempSync(join(tmpdir(), 'slipway-site-'))): string {
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), body);
  }
  return dir;
}

/** Gives every file a new modification time, as a fresh checkout and build does. */
export async function touchAll(dir: string, when = new Date(Date.now() + 60_000)): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), when, when);
  }
}

export interface StoredObject {
  md5: string;
  cacheControl: string;
  contentType: string;
}

/** Every object under `prefix`: body digest and headers (read with GET, so bodies are really compared). */
export async function bucketState(bucket: string, prefix = '', client: S3Client = inspector()): Promise<Map<string, StoredObject>> {
  const state = new Map<string, StoredObject>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      state.set(o.Key!, {
        md5: createHash('md5').update(body).digest('hex'),
        cacheControl: object.CacheControl ?? '',
        contentType: object.ContentType ?? '',
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return state;
}

export const md5 = (body: string | Buffer): string => createHash('md5').update(body).digest('hex');

export async function putObject(
  bucket: string,
  key: string,
  body: string | Buffer,
  headers: { CacheControl?: string; ContentType?: string } = {},
): Promise<void> {
  await inspector().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...headers }));
}

export async function headers(bucket: string, key: string): Promise<{ cacheControl?: string; contentType?: string }> {
  const h = await inspector().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { cacheControl: h.CacheControl, contentType: h.ContentType };
}
