// deploy-static's verify and verify-url inputs (mode releases): parsed here so settings.ts needs one line.
import { InputError, type InputCollector } from '../../inputs/errors.js';
import { parseBoolean } from '../../inputs/parse.js';
import type { VerifySettings } from '../../lib/releases/deploy.js';
import type { DeployMode } from './mode.js';

export function parseVerify(rawVerify: string, rawUrl: string, mode: DeployMode | undefined, c: InputCollector): VerifySettings {
  const verify = c.field(() => parseBoolean('verify', rawVerify));
  const verifyUrl = c.field(() => {
    const value = rawUrl.trim();
    if (value === '') return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
      throw new InputError('verify-url', "must be the site's URL, https://<host>/ with a host the router maps to this site", rawUrl);
    if (mode !== 'releases')
      throw new InputError('verify-url', 'is for mode releases only (mirror mode does not verify through the CDN)', rawUrl);
    return url.href;
  });
  return { ...(verify.value === false ? { verify: false } : {}), ...(verifyUrl.value ? { verifyUrl: verifyUrl.value } : {}) };
}
