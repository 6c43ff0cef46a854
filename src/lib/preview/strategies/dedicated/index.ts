// The dedicated strategy: its store, over the parts it is made of (bucket, distribution, DNS), and its configuration.
export { DedicatedPreviewStore } from './store.js';
export { distributionConfig, MANAGED_POLICY, type DedicatedStoreDeps, type DedicatedStoreSettings } from './config.js';
export { bucketPolicy } from './bucket.js';
export { CLOUDFRONT_ZONE } from './dns.js';
