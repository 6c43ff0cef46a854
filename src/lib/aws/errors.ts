// Reading AWS SDK errors without depending on their classes.

interface AwsErrorShape {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const shape = (error: unknown): AwsErrorShape => (typeof error === 'object' && error !== null ? error : {});

export const errorCode = (error: unknown): string => {
  const e = shape(error);
  const code = e.Code ?? e.name;
  return typeof code === 'string' && code !== '' ? code : 'Error';
};

export const httpStatus = (error: unknown): number | undefined => shape(error).$metadata?.httpStatusCode;

/** A conditional request (If-Match, If-None-Match) whose condition did not hold: HTTP 412. */
export const isPreconditionFailed = (error: unknown): boolean => httpStatus(error) === 412 || errorCode(error) === 'PreconditionFailed';

/** The object is missing (not the bucket: NoSuchBucket is a real failure). */
export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchKey' || code === 'NotFound';
}

/**
 * The SDK found no credentials: say where they come from. In a workflow that is a step before this
 * one; on a laptop a profile or the usual variables.
 */
const CREDENTIALS_HINT =
  'No AWS credentials were found. In a workflow, add aws-actions/configure-aws-credentials before this step (with role-to-assume, and permissions: id-token: write for OIDC); on a laptop, set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login.';

export const isMissingCredentials = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'CredentialsProviderError' || /Could not load credentials from any providers/i.test(error.message));

/** One line that says what failed and why, for any thrown value. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isMissingCredentials(error)) return `${CREDENTIALS_HINT} (${error.message})`;
  const status = httpStatus(error);
  if (status === undefined) return error.message || error.name;
  // An AWS service error: say which code and status it answered with.
  const code = errorCode(error);
  return `${error.message || code} (${code}, HTTP ${status})`;
}
