// The start-up floor of bench scenario 6: the least an action that reads its inputs with
// @actions/core and talks to S3 loads before its first request — the toolkit and the S3 client,
// bundled with the same ncc flags as the actions, sending one ListObjectsV2 to the configured endpoint.
import * as core from '@actions/core';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

core.debug(`bucket: ${core.getInput('bucket') || 'cold-start'}`);
const client = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
await client.send(new ListObjectsV2Command({ Bucket: 'cold-start' })).catch(() => undefined);
