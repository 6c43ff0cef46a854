// CloudFront identifiers, as invalidate, pr-preview and router take them.
import { InputError } from './errors.js';

const DISTRIBUTION_ID = /^[A-Z0-9]{13,14}$/;

/** Ids as CloudFront writes them (upper case); a lower-case id is the same id. */
export function parseDistributionIds(input: string, raw: string): string[] {
  const ids = raw
    .split(/[\n,]/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (ids.length === 0)
    throw new InputError(input, 'is required: one or more CloudFront distribution ids, separated by newlines or commas');
  for (const id of ids) {
    if (!DISTRIBUTION_ID.test(id))
      throw new InputError(input, 'must be CloudFront distribution ids: 13 or 14 letters and digits, like E2QWRUHAPOMQZL', id);
  }
  return [...new Set(ids)];
}

/** Exactly one distribution id; `oneForm` says why one. */
export function parseOneDistributionId(input: string, raw: string, oneForm: string): string {
  const [id, ...more] = parseDistributionIds(input, raw);
  if (id === undefined || more.length > 0) throw new InputError(input, oneForm, raw);
  return id;
}
