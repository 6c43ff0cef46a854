// An HTTP proxy in front of moto that records every request the code under test sends (so tests
// count requests at the wire) and can inject faults: an error status, a connection reset, or a
// delay, per request.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** S3 operation name, inferred from method, query and headers (path-style addressing). */
  operation: string;
  bucket?: string;
  key?: string;
  /** When it arrived (ms since the proxy started) and its status. */
  at: number;
  status?: number;
}

export type Fault =
  | { kind: 'status'; status: number; code: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number };

/** Decides per request; undefined lets it through. */
export type FaultPlan = (request: RecordedRequest, index: number) => Fault | undefined;

export function s3Operation(method: string, query: URLSearchParams, headers: IncomingMessage['headers'], key: string | undefined): string {
  if (method === 'GET' && !key) return query.get('list-type') === '2' ? 'ListObjectsV2' : query.has('versions') ? 'ListObjectVersions' : 'ListObjects';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return key ? 'HeadObject' : 'HeadBucket';
  if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('partNumber')) return headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'PUT' && key) return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'DELETE') return key ? 'DeleteObject' : 'DeleteBucket';
  return `${method} ${key ?? ''}`;
}

export interface AwsProxy {
  endpoint: string;
  requests: RecordedRequest[];
  /** Requests of these operations, in order. */
  ops(...operations: string[]): RecordedRequest[];
  setFaults(plan: FaultPlan | undefined): void;
  clear(): void;
  close(): Promise<void>;
}

const errorBody = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  let faults: FaultPlan | undefined;
  let index = 0;
  const started = Date.now();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      operation: s3Operation(req.method ?? 'GET', url.searchParams, req.headers, key || undefined),
      bucket: bucket || undefined,
      key: key || undefined,
      at: Date.now() - started,
    };
    requests.push(recorded);
    const fault = faults?.(recorded, index++);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault?.kind === 'reset') {
        recorded.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        recorded.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(errorBody(fault.code, fault.message ?? 'injected by the test proxy'));
        return;
      }
      const forward = () => {
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          (upstreamRes) => {
            recorded.status = upstreamRes.statusCode;
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
          },
        );
        out.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        out.end(Buffer.concat(chunks));
      };
      if (fault?.kind === 'delay') setTimeout(forward, fault.ms);
      else forward();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    ops: (...operations) => requests.filter((r) => operations.includes(r.operation)),
    setFaults: (plan) => {
      faults = plan;
      index = 0;
    },
    clear: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
