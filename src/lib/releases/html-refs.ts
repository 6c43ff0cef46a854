// What an HTML page, a stylesheet or a web manifest makes a browser load, for the verification of a
// staged release. A small tokenizer rather than a dependency: it skips comments and the raw text of
// <script>/<style>/<textarea>/<title> (a '<img src>' inside an inline script is not a reference), reads
// quoted and unquoted attribute values, decodes character references, honours <base href>, and parses
// srcset as the HTML standard does (a URL may hold commas: data: URLs do). Inline <style> and style=""
// are read as CSS.
// https://html.spec.whatwg.org/multipage/images.html#parsing-a-srcset-attribute

/** How the browser uses what it loads, which decides the Content-Type it must come with. */
export type ReferenceKind = 'script' | 'style' | 'image' | 'font' | 'manifest' | 'other';

export interface Reference {
  kind: ReferenceKind;
  /** As written in the document (entities decoded), not yet resolved. */
  url: string;
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const JS_TYPES = new Set(['', 'module', 'text/javascript', 'application/javascript', 'text/ecmascript', 'application/ecmascript']);

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

function attributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/** The URLs of a srcset attribute (descriptors dropped). */
export function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /[\s,]/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let end = i;
    while (end < value.length && !/\s/.test(value[end]!)) end++;
    let url = value.slice(i, end);
    i = end;
    if (url.endsWith(',')) url = url.replace(/,+$/, '');
    else {
      // Skip the descriptors up to the next comma outside parentheses.
      let depth = 0;
      while (i < value.length && (depth > 0 || value[i] !== ',')) {
        if (value[i] === '(') depth++;
        else if (value[i] === ')') depth--;
        i++;
      }
    }
    if (url) urls.push(url);
  }
  return urls;
}

/** url(...) and @import of a stylesheet, comments left out. */
export function cssReferences(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const urls: string[] = [];
  for (const m of text.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi)) {
    const url = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').trim();
    if (url) urls.push(url);
  }
  return urls;
}

/** The icons (and screenshots) a web manifest names; [] when it is not JSON. */
export function manifestReferences(json: string): string[] {
  try {
    const manifest = JSON.parse(json) as { icons?: { src?: unknown }[]; screenshots?: { src?: unknown }[] };
    return [...(manifest.icons ?? []), ...(manifest.screenshots ?? [])]
      .map((i) => i?.src)
      .filter((s): s is string => typeof s === 'string' && s !== '');
  } catch {
    return [];
  }
}

/** The kind of a <link>, from its rel tokens (and as= for preloads); undefined: not a load. */
function linkKind(rel: string[], as: string): ReferenceKind | undefined {
  if (rel.includes('stylesheet')) return 'style';
  if (rel.includes('modulepreload')) return 'script';
  if (rel.includes('manifest')) return 'manifest';
  if (rel.includes('preload'))
    return as === 'script' ? 'script' : as === 'style' ? 'style' : as === 'font' ? 'font' : as === 'image' ? 'image' : 'other';
  if (rel.some((r) => r === 'icon' || r === 'apple-touch-icon' || r === 'apple-touch-icon-precomposed' || r === 'mask-icon'))
    return 'image';
  return undefined;
}

export interface HtmlReferences {
  /** <base href>, when the page sets one. */
  base?: string;
  references: Reference[];
}

export function htmlReferences(html: string): HtmlReferences {
  const references: Reference[] = [];
  let base: string | undefined;
  const add = (kind: ReferenceKind, url: string | undefined) => {
    const trimmed = url?.trim();
    if (trimmed) references.push({ kind, url: trimmed });
  };
  const tag = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<\/[^>]*>|<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(html)) !== null) {
    const name = m[1]?.toLowerCase();
    if (!name) continue;
    const attrs = attributes(m[2] ?? '');
    const style = attrs.get('style');
    if (style) for (const url of cssReferences(style)) add('image', url);
    if (name === 'base' && base === undefined && attrs.has('href')) base = attrs.get('href');
    else if (name === 'script' && attrs.has('src') && JS_TYPES.has((attrs.get('type') ?? '').trim().toLowerCase()))
      add('script', attrs.get('src'));
    else if (name === 'link' && attrs.has('href')) {
      const kind = linkKind((attrs.get('rel') ?? '').toLowerCase().split(/\s+/), (attrs.get('as') ?? '').toLowerCase());
      if (kind) add(kind, attrs.get('href'));
    } else if (name === 'img' || name === 'source') {
      add(name === 'img' ? 'image' : 'other', attrs.get('src'));
      for (const url of srcsetUrls(attrs.get('srcset') ?? '')) add('image', url);
    } else if (name === 'video' && attrs.has('poster')) add('image', attrs.get('poster'));
    if (RAW_TEXT.has(name)) {
      const close = new RegExp(`</${name}[\\s/>]`, 'ig');
      close.lastIndex = tag.lastIndex;
      const end = close.exec(html);
      const text = html.slice(tag.lastIndex, end ? end.index : html.length);
      if (name === 'style') for (const url of cssReferences(text)) add('other', url);
      tag.lastIndex = end ? end.index : html.length;
    }
  }
  return { ...(base !== undefined ? { base } : {}), references };
}
