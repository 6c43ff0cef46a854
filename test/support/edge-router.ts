// The published edge router, run in node:vm as CloudFront runs it: a `cf` module whose kvs()
// reads a Map (get throws for a missing key, as the runtime's does; format 'json' parses).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
import vm from 'node:vm';
import { ROUTER_FUNCTION_CODE } from '../../src/generated/router-function.js';

export interface Field {
  value: string;
  multiValue?: { value: string }[];
}
export interface EdgeRequest {
  method: string;
  uri: string;
  querystring: Record<string, Field>;
  headers: Record<string, Field>;
  cookies: Record<string, Field>;
}
export interface EdgeResponse {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, Field>;
  body?: { encoding: string; data: string };
}
export type EdgeEvent = { context: { eventType: 'viewer-request' | 'viewer-response' }; request: EdgeRequest; response?: EdgeResponse };

const IMPORT = "import cf from 'cloudfront';";

export interface LoadedRouter {
  handler: (event: EdgeEvent) => Promise<EdgeRequest | EdgeResponse>;
  /** KVS reads since the last reset. */
  reads: () => number;
  resetReads: () => void;
}

/** Loads the router against `store` (read at call time, so tests may change it between requests). */
export function loadRouter(store: ReadonlyMap<string, string>, code: string = ROUTER_FUNCTION_CODE): LoadedRouter {
  if (code.split('\n')[0] !== IMPORT) throw new Error(`the router must start with ${IMPORT}`);
  let reads = 0;
  const cf = {
    kvs: () => ({
      get: (key: string, options?: { format?: string }) => {
        reads++;
        const value = store.get(key);
        if (value === undefined) return Promise.reject(new Error(`Key ${key} not found`));
        return Promise.resolve(options?.format === 'json' ? (JSON.parse(value) as unknown) : value);
      },
      exists: (key: string) => Promise.resolve(store.has(key)),
    }),
  };
  const handler = vm.runInNewContext(`${code.slice(IMPORT.length)}\n;handler`, { cf }) as LoadedRouter['handler'];
  return { handler, reads: () => reads, resetReads: () => (reads = 0) };
}

export function viewerRequest(host: string | undefined, uri: string, querystring: Record<string, Field> = {}): EdgeEvent {
  return {
    context: { eventType: 'viewer-request' },
    request: { method: 'GET', uri, querystring, headers: host === undefined ? {} : { host: { value: host } }, cookies: {} },
  };
}

export function viewerResponse(host: string, uri: string, response: EdgeResponse, querystring: Record<string, Field> = {}): EdgeEvent {
  return { ...viewerRequest(host, uri, querystring), context: { eventType: 'viewer-response' }, response };
}

export const isResponse = (r: EdgeRequest | EdgeResponse): r is EdgeResponse => 'statusCode' in r;
