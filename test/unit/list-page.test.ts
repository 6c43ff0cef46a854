import { describe, expect, it } from 'vitest';
import { takeContents, urlDecodedKey, xmlText } from '../../src/lib/s3-sync/list-page.js';

const head =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>';

describe('takeContents', () => {
  it('reads Key, ETag and Size of each object in any child order, and leaves the rest of the answer whole', () => {
    const xml =
      `${head}<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>` +
      '<Contents><Key>a.js</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>' +
      '<Contents><Size>12</Size><Owner><ID>x</ID><DisplayName>y</DisplayName></Owner><ETag>"abc-2"</ETag><Key>b/c.html</Key></Contents>' +
      '<NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>';
    const { objects, rest } = takeContents(xml);
    expect(objects).toEqual([
      { key: 'a.js', etag: '"0cc175b9c0f1b6a831c399e269772661"', size: 1 },
      { key: 'b/c.html', etag: '"abc-2"', size: 12 },
    ]);
    expect(rest).toBe(
      `${head}<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>`,
    );
  });

  it('decodes keys sent url-encoded the way S3 encodes them (a space as +), wherever EncodingType comes', () => {
    const objects = (encodingFirst: boolean) => {
      const field = '<EncodingType>url</EncodingType>';
      const contents =
        '<Contents><Key>docs/My+File+%C3%BC%2B1.png</Key><ETag>"e"</ETag><Size>3</Size></Contents>' +
        '<Contents><Key>100%25+a%2520b.txt</Key><ETag>"f"</ETag><Size>1</Size></Contents>';
      return takeContents(`${head}${encodingFirst ? field : ''}${contents}${encodingFirst ? '' : field}</ListBucketResult>`).objects.map(
        (o) => o.key,
      );
    };
    expect(objects(true)).toEqual(['docs/My File ü+1.png', '100% a%20b.txt']);
    expect(objects(false)).toEqual(['docs/My File ü+1.png', '100% a%20b.txt']);
  });

  it('reads keys as they are, XML entities decoded, when the endpoint did not url-encode them', () => {
    const xml = `${head}<Contents><Key>a+b &amp; c%20&#233;&#x1F600;.txt</Key><ETag>"e"</ETag><Size>1</Size></Contents></ListBucketResult>`;
    expect(takeContents(xml).objects[0]?.key).toBe('a+b & c%20é😀.txt');
  });

  it('fails on an answer cut short or an object without a key, instead of listing less', () => {
    expect(() => takeContents(`${head}<Contents><Key>a</Key><Size>1</Size>`)).toThrow(/cut short/);
    expect(() => takeContents(`${head}<Contents><Size>1</Size></Contents></ListBucketResult>`)).toThrow(/without a <Key>/);
  });

  it('gives no objects for an empty listing', () => {
    const xml = `${head}<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`;
    expect(takeContents(xml)).toEqual({ objects: [], rest: xml });
  });
});

describe('xmlText and urlDecodedKey', () => {
  it('decode only what they must', () => {
    expect(xmlText('&lt;&gt;&quot;&apos;&amp;amp;')).toBe('<>"\'&amp;');
    expect(urlDecodedKey('plain/key.js')).toBe('plain/key.js');
    expect(urlDecodedKey('a+b%2Bc')).toBe('a b+c');
  });
});
