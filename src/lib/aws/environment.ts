// The AWS settings that come from the environment rather than from inputs: checked with the inputs,
// before any request, so a typo names its variable instead of ending in a DNS error or "Invalid URL".
import { InputError } from '../../inputs/errors.js';
import { parseEndpoint, parseRegion } from '../../inputs/parse.js';

/** The SDK's per-service endpoint variables (AWS_ENDPOINT_URL_<SERVICE ID>). */
const ENDPOINT_VARIABLES: Record<string, string> = {
  S3: 'AWS_ENDPOINT_URL_S3',
  CloudFront: 'AWS_ENDPOINT_URL_CLOUDFRONT',
  'Route 53': 'AWS_ENDPOINT_URL_ROUTE_53',
  ECS: 'AWS_ENDPOINT_URL_ECS',
};

export interface EnvironmentCheck {
  /** The step's own region input is set (then the variables are not used). */
  regionGiven: boolean;
  /** The step's own endpoint input is set. */
  endpointGiven: boolean;
  services: (keyof typeof ENDPOINT_VARIABLES)[];
}

export function awsEnvironmentErrors(env: NodeJS.ProcessEnv, check: EnvironmentCheck): InputError[] {
  const errors: InputError[] = [];
  const attempt = (parse: () => unknown) => {
    try {
      parse();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      errors.push(error);
    }
  };
  const endpointVariables = ['AWS_ENDPOINT_URL', ...check.services.map((s) => ENDPOINT_VARIABLES[s]!)];
  if (!check.endpointGiven) {
    for (const name of endpointVariables) {
      const value = env[name];
      if (value !== undefined && value.trim() !== '') attempt(() => parseEndpoint(name, value));
    }
  }
  // S3-compatible stores behind a custom endpoint use region names of their own (R2: auto).
  const customEndpoint = check.endpointGiven || endpointVariables.some((name) => (env[name] ?? '').trim() !== '');
  if (!check.regionGiven && !customEndpoint) {
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
      const value = env[name];
      if (value !== undefined && value.trim() !== '') {
        attempt(() => parseRegion(name, value));
        break;
      }
    }
  }
  return errors;
}
