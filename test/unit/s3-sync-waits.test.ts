// The two waits of an S3 deploy, on a clock that moves only when the code sleeps: the deploy lease
// (polled while another deploy holds it) and DeleteObjects' per-key errors (sent again with backoff).
// A small in-memory bucket plays S3's conditional writes (If-None-Match: *, If-Match on the ETag).
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lease, LEASE_KEY, LeaseHeld } from '../../src/lib/s3-sync/lease.js';
import { deleteObjects } from '../../src/lib/s3-sync/remote.js';
import type { Logger } from '../../src/lib/log/logger.js';
import type { Clock } from '../../src/lib/util/clock.js';
import { fakeClock } from '../support/clock.js';

const START = Date.parse('2026-03-01T12:00:00.000Z');

const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** One bucket's objects with ETags; `calls` lists each request with its condition. */
function fakeBucket(onRequest: (operation: string) => void = () => undefined) {
  const objects = new Map<string, { body: string; etag: string }>();
  const calls: string[] = [];
  let etags = 0;
  const put = (key: string, body: string) => {
    const etag = `"e${++etags}"`;
    objects.set(key, { body, etag });
    return etag;
  };
  const send = (command: unknown): Promise<unknown> => {
    if (command instanceof PutObjectCommand) {
      const { Key, IfNoneMatch, IfMatch, Body } = command.input;
      calls.push(`PutObject${IfNoneMatch ? ` If-None-Match ${IfNoneMatch}` : ''}${IfMatch ? ` If-Match ${IfMatch}` : ''}`);
      onRequest(calls.at(-1)!);
      const current = objects.get(Key!);
      if ((IfNoneMatch === '*' && current) || (IfMatch !== undefined && current?.etag !== IfMatch))
        return Promise.reject(awsError('PreconditionFailed', 412));
      return Promise.resolve({ ETag: put(Key!, Body as string) });
    }
    if (command instanceof GetObjectCommand) {
      calls.push('GetObject');
      onRequest('GetObject');
      const current = objects.get(command.input.Key!);
      if (!current) return Promise.reject(awsError('NoSuchKey', 404));
      return Promise.resolve({ ETag: current.etag, Body: { transformToString: () => Promise.resolve(current.body) } });
    }
    if (command instanceof DeleteObjectCommand) {
      calls.push(`DeleteObject If-Match ${command.input.IfMatch}`);
      onRequest('DeleteObject');
      const current = objects.get(command.input.Key!);
      if (!current) return Promise.reject(awsError('NoSuchKey', 404));
      if (current.etag !== command.input.IfMatch) return Promise.reject(awsError('PreconditionFailed', 412));
      objects.delete(command.input.Key!);
      return Promise.resolve({});
    }
    throw new Error(`unexpected command ${String(command)}`);
  };
  return { objects, calls, put, client: { send } as unknown as S3Client };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => undefined,
    group: (_title, fn) => fn(),
  };
}

const KEY = `site/${LEASE_KEY}`;
const OPTIONS = { ttlMs: 60_000, waitMs: 10_000, pollMs: 3_000 };
const theirs = (owner: string, expiresAt: string) => JSON.stringify({ owner, startedAt: '2026-03-01T11:58:00.000Z', expiresAt });
const acquire = (bucket: ReturnType<typeof fakeBucket>, clock: Clock, log: Logger) =>
  Lease.acquire(bucket.client, 'web', 'site/', 'run B', { clock, log, options: OPTIONS });

describe('the deploy lease', () => {
  it('polls every pollMs while another deploy holds it, then gives up naming it once the next poll would pass waitMs', async () => {
    const bucket = fakeBucket();
    bucket.put(KEY, theirs('run A', '2026-03-01T13:00:00.000Z'));
    const clock = fakeClock(START);
    const log = recordingLogger();
    const error = await acquire(bucket, clock, log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseHeld);
    expect((error as Error).message).toBe(
      'Another deploy to s3://web/site/ is in progress: run A, started 2026-03-01T11:58:00.000Z, holding it until 2026-03-01T13:00:00.000Z. Waited 9 s; nothing was changed. Run again once it has finished (or give the workflows one concurrency group).',
    );
    // Tries at 0, 3, 6 and 9 s; a fifth at 12 s would pass the 10 s wait.
    expect(clock.slept).toEqual([3000, 3000, 3000]);
    expect(bucket.calls).toEqual(Array(4).fill(['PutObject If-None-Match *', 'GetObject']).flat());
    expect(log.lines).toEqual(['info: Waiting for another deploy to s3://web/site/: run A, started 2026-03-01T11:58:00.000Z']);
  });

  it('takes it at the first poll after the other deploy gave it back, and gives it back itself', async () => {
    const bucket = fakeBucket();
    bucket.put(KEY, theirs('run A', '2026-03-01T13:00:00.000Z'));
    const clock = fakeClock(START, (count) => count === 2 && bucket.objects.delete(KEY));
    const lease = await acquire(bucket, clock, recordingLogger());
    expect(clock.slept).toEqual([3000, 3000]);
    const record = JSON.parse(bucket.objects.get(KEY)!.body) as Record<string, unknown>;
    expect(record).toMatchObject({ owner: 'run B', startedAt: '2026-03-01T12:00:00.000Z', expiresAt: '2026-03-01T12:01:06.000Z' });
    await lease.release();
    expect(bucket.calls.at(-1)).toBe('DeleteObject If-Match "e2"');
    expect(bucket.objects.has(KEY)).toBe(false);
  });

  it('takes over an expired lease at once, on its ETag', async () => {
    const bucket = fakeBucket();
    bucket.put(KEY, theirs('run A', '2026-03-01T11:59:00.000Z'));
    const clock = fakeClock(START);
    const log = recordingLogger();
    const lease = await acquire(bucket, clock, log);
    expect(clock.slept).toEqual([]);
    expect(bucket.calls).toEqual(['PutObject If-None-Match *', 'GetObject', 'PutObject If-Match "e1"']);
    expect(log.lines).toEqual([
      'warning: The deploy lease of run A on s3://web/site/ expired at 2026-03-01T11:59:00.000Z (a deploy that was cut short): taking it over.',
    ]);
    await lease.release();
  });

  it('tries again at once when the lease went between its write and its read, or another deploy took the expired one over first', async () => {
    // Gone before the read: the next write takes it, without a pause.
    const gone = fakeBucket((operation) => operation === 'GetObject' && gone.objects.delete(KEY));
    gone.put(KEY, theirs('run A', '2026-03-01T13:00:00.000Z'));
    const clock = fakeClock(START);
    await (await acquire(gone, clock, recordingLogger())).release();
    expect(clock.slept).toEqual([]);
    expect(gone.calls.slice(0, 3)).toEqual(['PutObject If-None-Match *', 'GetObject', 'PutObject If-None-Match *']);

    // Run C takes the expired lease over first: this deploy then waits for run C like for any holder.
    let raced = false;
    const race = fakeBucket((operation) => {
      if (operation.startsWith('PutObject If-Match') && !raced) {
        raced = true;
        race.put(KEY, theirs('run C', '2026-03-01T13:00:00.000Z'));
      }
    });
    race.put(KEY, theirs('run A', '2026-03-01T11:59:00.000Z'));
    const later = fakeClock(START, () => race.objects.delete(KEY));
    const log = recordingLogger();
    await (await acquire(race, later, log)).release();
    expect(race.calls.slice(0, 6)).toEqual([
      'PutObject If-None-Match *',
      'GetObject',
      'PutObject If-Match "e1"',
      'PutObject If-None-Match *',
      'GetObject',
      'PutObject If-None-Match *',
    ]);
    expect(later.slept).toEqual([3000]);
    expect(log.lines[1]).toBe('info: Waiting for another deploy to s3://web/site/: run C, started 2026-03-01T11:58:00.000Z');
  });
});

describe('DeleteObjects per-key errors', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A bucket whose DeleteObjects answers per-key errors from `script`, one entry per request (then none). */
  function deletes(script: { Key: string; Code: string; Message: string }[][]) {
    const sent: string[][] = [];
    const client = {
      send: (command: unknown) => {
        if (!(command instanceof DeleteObjectsCommand)) throw new Error('unexpected command');
        sent.push((command.input.Delete?.Objects ?? []).map((o) => o.Key!));
        return Promise.resolve({ Errors: script[sent.length - 1] ?? [] });
      },
    } as unknown as S3Client;
    return { client, sent };
  }
  const slowDown = (Key: string) => ({ Key, Code: 'SlowDown', Message: 'Please reduce your request rate.' });
  const objects: ObjectIdentifier[] = [{ Key: 'a.txt' }, { Key: 'b.txt' }, { Key: 'c.txt' }];

  it('sends the keys with transient errors again, with backoff, until S3 confirms them', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // the top of each backoff range
    const { client, sent } = deletes([[slowDown('a.txt'), slowDown('c.txt')], [slowDown('c.txt')]]);
    const clock = fakeClock(START);
    const confirmed: string[][] = [];
    const count = await deleteObjects(client, 'web', objects, 4, (batch) => confirmed.push(batch.map((o) => o.Key!)), clock);
    expect(count).toBe(3);
    expect(sent).toEqual([['a.txt', 'b.txt', 'c.txt'], ['a.txt', 'c.txt'], ['c.txt']]);
    expect(confirmed).toEqual([['b.txt'], ['a.txt'], ['c.txt']]);
    expect(clock.slept).toEqual([500, 1000]);
  });

  it('gives up after six requests, naming the key that still fails', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { client, sent } = deletes(Array.from({ length: 6 }, () => [slowDown('b.txt')]));
    const clock = fakeClock(START);
    await expect(deleteObjects(client, 'web', objects, 4, undefined, clock)).rejects.toThrow(
      /^Could not delete 1 object, first s3:\/\/web\/b\.txt: SlowDown Please reduce your request rate\.$/,
    );
    expect(sent).toHaveLength(6);
    expect(clock.slept).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('fails at once on an error a retry cannot fix, naming it before the transient ones', async () => {
    const { client, sent } = deletes([[slowDown('a.txt'), { Key: 'b.txt', Code: 'AccessDenied', Message: 'Access Denied' }]]);
    const clock = fakeClock(START);
    await expect(deleteObjects(client, 'web', objects, 4, undefined, clock)).rejects.toThrow(
      /^Could not delete 2 objects, first s3:\/\/web\/b\.txt: AccessDenied Access Denied$/,
    );
    expect(sent).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('sends nothing again when S3 named only keys the request did not hold', async () => {
    const { client, sent } = deletes([[slowDown('elsewhere.txt')]]);
    const clock = fakeClock(START);
    const confirmed: string[][] = [];
    await deleteObjects(client, 'web', objects, 4, (batch) => confirmed.push(batch.map((o) => o.Key!)), clock);
    expect(sent).toEqual([['a.txt', 'b.txt', 'c.txt']]);
    expect(confirmed).toEqual([['a.txt', 'b.txt', 'c.txt']]);
    // Nor waits for a retry it has nothing to send in.
    expect(clock.slept).toEqual([]);
  });

  it('leaves a failed request to the SDK: it is not sent again here', async () => {
    const clock = fakeClock(START);
    let sent = 0;
    const client = {
      send: () => {
        sent++;
        return Promise.reject(awsError('InternalError', 500));
      },
    } as unknown as S3Client;
    await expect(deleteObjects(client, 'web', objects, 4, undefined, clock)).rejects.toThrow('InternalError');
    expect(sent).toBe(1);
    expect(clock.slept).toEqual([]);
  });
});
