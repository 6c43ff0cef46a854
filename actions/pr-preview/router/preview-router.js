// Slipway PR-preview router: a CloudFront Function (runtime cloudfront-js-2.0).
//
// One shared distribution serves every pull-request preview. Its alias is the
// wildcard `*.<domain>` and its origin is one S3 bucket where the preview of
// pull request N lives under the prefix `pr-N/`. This function is associated
// with the distribution's default cache behaviour, event type viewer-request,
// so it runs before the cache lookup:
//
//   https://pr-123.<domain>/assets/app.1a2b.js  ->  /pr-123/assets/app.1a2b.js
//   https://pr-123.<domain>/users/42            ->  /pr-123/index.html  (SPA fallback)
//
// Because the URI is rewritten before the lookup, cache keys and invalidation
// paths are `/pr-N/...`. Hosts that are not `pr-<N>.` and paths that could
// reach hidden objects (`pr-N/.slipway/` is Slipway's private bookkeeping)
// get a plain 404 generated here, never forwarded to the bucket.
// The query string is left untouched. See README.md next to this file.

var PREVIEW_HOST = /^pr-([1-9][0-9]{0,8})\.[a-z0-9.-]+$/;

function notFound() {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'text/plain; charset=utf-8' },
      'cache-control': { value: 'no-store' },
    },
    body: { encoding: 'text', data: 'No preview is deployed at this address.' },
  };
}

// True when the URI cannot reach a hidden object. S3 percent-decodes the key,
// so encoded dots, slashes and backslashes are refused outright (browsers never
// send them for real files); then no segment may start with `.` (`.slipway`,
// `.git`, `.env`, `.` and `..`), except a leading `/.well-known/`.
function isSafe(uri) {
  if (uri.charAt(0) !== '/') return false;
  if (/\\|%2e|%2f|%5c/i.test(uri)) return false;
  var segments = uri.split('/');
  for (var i = 1; i < segments.length; i++) {
    var segment = segments[i];
    if (segment.charAt(0) === '.' && !(i === 1 && segment === '.well-known' && segments.length > 2)) return false;
  }
  return true;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- CloudFront calls handler.
function handler(event) {
  var request = event.request;
  var host = request.headers.host ? request.headers.host.value : '';
  var match = PREVIEW_HOST.exec(host.toLowerCase().replace(/:[0-9]*$/, ''));
  if (!match) return notFound();

  var uri = request.uri;
  if (!isSafe(uri)) return notFound();

  // No extension in the last segment (this includes `/` and `/dir/`): a client-side
  // route, served by the SPA's index.html. `.well-known/` files are served as they are.
  var last = uri.slice(uri.lastIndexOf('/') + 1);
  var route = last.indexOf('.') === -1 && uri.indexOf('/.well-known/') !== 0;
  request.uri = '/pr-' + match[1] + (route ? '/index.html' : uri);
  return request;
}
