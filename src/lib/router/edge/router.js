// @ts-nocheck -- a CloudFront Function (cloudfront-js-2.0), not a Node module.
// Slipway's edge router. One function, associated with a cache behaviour twice:
// viewer-request (host -> site, clean URLs, SPA fallback, redirects) and
// viewer-response (the build's 404.html gets status 404, _headers rules).
// Its data lives in the associated KeyValueStore, written by Slipway at deploy time:
//   h:<host>          {"s":site} or {"r":host}          host -> site, or a host redirect
//   s:<site>          {"p":prefix,"m":"spa"|"pages","t":"keep"|"always"|"never","n":"404.html","r":N,"h":N}
//   s:<site>:r<i>     [[from,to,status],...]             pattern redirects, N chunks
//   s:<site>:h<i>     [[pattern,[[name,value],...]],...] header rules, N chunks
//   p:<site>:<path>   {"f":file[,"c":404]} or {"to":url,"c":301}   pages and exact redirects
//   s:<site>          {"l":"<site>~<id>","b":prev}      releases mode: the live pointer, a link to
//                                                        one release's table (one write switches all)
//   s:<site>~<id>     {...,"v":"_releases/<id>/","i":[dir,...],"k":token}   a release's config: files
//                                                        come from v, except those under a pool dir i
// Releases mode, two more things (src/lib/releases/verify.ts uses both):
//   GET /_slipway/release answers the id of the release this request is served from (no-store);
//   a request with the header x-slipway-verify: <id>.<token> is served from release <id> instead of
//   the live one, only when <token> is the k of that release's config (written by the deploy, never
//   shown to visitors), so a staged release can be checked through the CDN before it goes live and
//   the public cannot browse it. A wrong or unknown one is a 403, never the live release.
// Comment lines are stripped from the code that is published (slipway router code).
import cf from 'cloudfront';

const kvs = cf.kvs();

async function read(key) {
  try {
    return await kvs.get(key, { format: 'json' });
  } catch (e) {
    return null;
  }
}

function reply(code, headers, text) {
  const h = { 'cache-control': { value: 'no-store' } };
  for (const k in headers) h[k] = { value: headers[k] };
  const r = {
    statusCode: code,
    statusDescription: code === 200 ? 'OK' : code === 404 ? 'Not Found' : code === 403 ? 'Forbidden' : 'Moved',
    headers: h,
  };
  if (text) {
    h['content-type'] = { value: 'text/plain; charset=utf-8' };
    r.body = { encoding: 'text', data: text };
  }
  return r;
}

const notFound = () => reply(404, {}, 'Not Found');

function query(qs) {
  const parts = [];
  for (const k in qs) {
    const v = qs[k];
    const all = v.multiValue || [v];
    for (const m of all) parts.push(m.value === '' ? k : k + '=' + m.value);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function redirect(code, to, qs) {
  return reply(code, { location: to.indexOf('?') < 0 ? to + query(qs) : to });
}

// No encoded dot, slash, backslash or NUL (S3 decodes keys), no dot segment
// except a leading /.well-known/ (hidden files such as .slipway/ stay unreachable).
function safe(uri) {
  if (uri.charAt(0) !== '/' || /\\|%2e|%2f|%5c|%00/i.test(uri)) return false;
  const s = uri.split('/');
  for (let i = 1; i < s.length; i++) {
    if (s[i].charAt(0) === '.' && !(i === 1 && s[i] === '.well-known' && s.length > 2)) return false;
  }
  return true;
}

// Netlify-style pattern: /a/:name/* ; returns the captured values or null.
function match(pattern, path) {
  const p = pattern.split('/');
  const s = path.split('/');
  const got = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*') {
      got.splat = s.slice(i).join('/');
      return got;
    }
    if (i >= s.length) return null;
    if (p[i].charAt(0) === ':') {
      if (s[i] === '') return null;
      got[p[i].slice(1)] = s[i];
    } else if (p[i] !== s[i]) return null;
  }
  return p.length === s.length ? got : null;
}

function fill(to, got) {
  return to.replace(/:([a-z_][a-z0-9_]*)/gi, (all, name) => (name in got ? got[name] : all));
}

const hasExt = (path) => path.slice(path.lastIndexOf('/') + 1).indexOf('.') > 0;

async function rules(site, kind) {
  let all = [];
  for (let i = 0; i < (site.cfg[kind] || 0); i++) all = all.concat((await read('s:' + site.id + ':' + kind + i)) || []);
  return all;
}

// The file serving a path, or a response; null when nothing is there.
async function lookup(site, path, uri, qs) {
  const e = await read('p:' + site.id + ':' + path);
  if (e && e.to) return { res: redirect(e.c, e.to, qs) };
  if (e) {
    const t = site.cfg.t;
    if (!e.c && path !== '/' && !hasExt(path) && t !== 'keep' && (uri.slice(-1) === '/') !== (t === 'always')) {
      return { res: redirect(308, t === 'always' ? path + '/' : path, qs) };
    }
    return { file: e.f, code: e.c };
  }
  return null;
}

async function byPattern(site, path, qs) {
  for (const r of await rules(site, 'r')) {
    // Unforced rules leave paths with an extension to the file (Netlify's shadowing).
    if (!r[3] && hasExt(path)) continue;
    const got = match(r[0], path);
    if (!got) continue;
    const to = fill(r[1], got);
    if (r[2] !== 200 && r[2] !== 404) return { res: redirect(r[2], to, qs) };
    const hit = hasExt(to) ? null : await lookup(site, to.replace(/(.)\/$/, '$1'), to, qs);
    return { file: hit && hit.file ? hit.file : to.slice(1), code: r[2] === 404 ? 404 : hit && hit.code };
  }
  return null;
}

// The routing decision for a viewer request: { res } to answer at the edge, or
// { site, file, code } to fetch <prefix><file> and answer with code (default: origin's).
async function route(request) {
  const host = (request.headers.host ? request.headers.host.value : '').toLowerCase().replace(/:\d*$/, '');
  const h = host && (await read('h:' + host));
  if (!h) return { res: notFound() };
  if (h.r) return { res: redirect(301, 'https://' + h.r + request.uri, request.querystring) };
  let id = h.s;
  let cfg = await read('s:' + id);
  const v = request.headers['x-slipway-verify'];
  if (v) {
    const m = /^([0-9a-f]{16})\.([A-Za-z0-9_-]{16,64})$/.exec(v.value);
    cfg = m && (await read('s:' + (id = h.s + '~' + m[1])));
    if (!cfg || cfg.k !== m[2]) return { res: reply(403, {}, 'Forbidden') };
  } else if (cfg && cfg.l) cfg = await read('s:' + (id = cfg.l));
  if (!cfg) return { res: notFound() };
  const site = { id: id, cfg: cfg };
  const uri = request.uri;
  if (uri === '/_slipway/release') {
    const rel = id.indexOf('~') > 0 ? id.slice(id.indexOf('~') + 1) : '';
    return { res: rel ? reply(200, { 'x-slipway-release': rel }, rel) : notFound() };
  }
  let path;
  try {
    path = decodeURIComponent(uri);
  } catch (e) {
    path = '';
  }
  if (!safe(uri) || !safe(path)) return { site, res: notFound() };
  path = path.length > 1 ? path.replace(/\/+$/, '') || '/' : '/';
  const hit = (await lookup(site, path, uri, request.querystring)) || (await byPattern(site, path, request.querystring));
  if (hit) return { site, path, res: hit.res, file: hit.file, code: hit.code };
  if (hasExt(path) || path.indexOf('/.well-known/') === 0) return { site, path, file: path.slice(1) };
  if (cfg.m === 'spa') return { site, path, file: 'index.html' };
  return cfg.n ? { site, path, file: cfg.n, code: 404 } : { site, res: notFound() };
}

async function onRequest(request) {
  const r = await route(request);
  if (r.res) return r.res;
  const c = r.site.cfg;
  const pooled = (c.i || []).some((d) => r.file.indexOf(d) === 0);
  request.uri = '/' + (c.p + (c.v && !pooled ? c.v : '') + r.file).split('/').map(encodeURIComponent).join('/');
  return request;
}

// CloudFront passes the viewer's own request here, and runs this only for
// origin statuses below 400 (edge-functions-restrictions.html).
async function onResponse(request, response) {
  const r = await route(request);
  if (!r.site || r.res) return response;
  if (r.code === 404) {
    response.statusCode = 404;
    response.statusDescription = 'Not Found';
  }
  // Netlify combines the values of a header that several matching rules set.
  const set = {};
  for (const rule of await rules(r.site, 'h')) {
    if (!match(rule[0], r.path)) continue;
    for (const [name, value] of rule[1]) {
      response.headers[name] = { value: set[name] ? response.headers[name].value + ', ' + value : value };
      set[name] = 1;
    }
  }
  return response;
}

async function handler(event) {
  return event.context && event.context.eventType === 'viewer-response'
    ? onResponse(event.request, event.response)
    : onRequest(event.request);
}
