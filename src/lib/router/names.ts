// How inputs name a router: the ARN of its CloudFront KeyValueStore, or the name of a router
// `slipway router` set up (its function and store share it). Kept apart from store.ts so parsing
// the inputs does not load the KeyValueStore client.
export const STORE_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[0-9a-f-]{36}$/;
export const ROUTER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
