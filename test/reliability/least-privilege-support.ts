// Least privilege, proven: what the actions call (recorded at the SDK), which IAM actions those
// calls need, what each README's policy grants, and the comparison of the two.
import { readFileSync } from 'node:fs';

// ── recording ──────────────────────────────────────────────────────────────────────────────

export interface RecordedCall {
  /** The IAM service prefix: s3, cloudfront, route53, ecs, logs. */
  service: string;
  /** The API operation, e.g. ListObjectsV2. */
  operation: string;
  input: Record<string, unknown>;
}

/** SDK client class names → IAM service prefixes. */
const SERVICE_OF_CLIENT: Record<string, string> = {
  S3Client: 's3',
  CloudFrontClient: 'cloudfront',
  Route53Client: 'route53',
  ECSClient: 'ecs',
  CloudWatchLogsClient: 'logs',
};

export const serviceOfClient = (clientName: string): string => {
  const service = SERVICE_OF_CLIENT[clientName];
  if (!service) throw new Error(`least privilege: no IAM service known for SDK client ${clientName}: add it to SERVICE_OF_CLIENT`);
  return service;
};

export const operationOfCommand = (commandName: string): string => commandName.replace(/Command$/, '');

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

/** Every AWS call the attached clients make, in order, read at the SDK (before retries). */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  /** Records every command `client` sends from now on (step initialize: once per call, not per attempt). */
  attach<T>(client: T): T {
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        this.calls.push({
          service: serviceOfClient(context.clientName ?? '?'),
          operation: operationOfCommand(context.commandName ?? '?'),
          input: args.input as Record<string, unknown>,
        });
        return next(args);
      },
      { step: 'initialize', name: 'leastPrivilegeRecorder', override: true },
    );
    return client;
  }

  /** For clients whose `send` is mocked (aws-sdk-client-mock), where no middleware runs. */
  record(service: string, operation: string, input: Record<string, unknown>): void {
    this.calls.push({ service, operation, input });
  }

  /** A mark to read the calls made since. */
  mark(): number {
    return this.calls.length;
  }

  /** Operations (service:Operation) called since `mark`, deduplicated. */
  operationsSince(mark: number): Set<string> {
    return new Set(this.calls.slice(mark).map((c) => `${c.service}:${c.operation}`));
  }
}

/**
 * AWS answers a new invalidation InProgress and completes it minutes later; moto answers
 * COMPLETED at once, so the code would never wait and GetInvalidation would never be called.
 * This makes CreateInvalidation's answer say InProgress, as AWS's does; moto's GetInvalidation
 * then says it is complete.
 */
export function invalidationsStartInProgress<T>(client: T): T {
  (client as unknown as { middlewareStack: { add(m: unknown, o: object): void } }).middlewareStack.add(
    (next: (args: unknown) => Promise<{ output: { Invalidation?: { Status?: string } } }>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const result = await next(args);
        if (context.commandName === 'CreateInvalidationCommand' && result.output.Invalidation)
          result.output.Invalidation.Status = 'InProgress';
        return result;
      },
    { step: 'initialize', name: 'invalidationsStartInProgress', override: true },
  );
  return client;
}

// ── SDK command → IAM actions ────────────────────────────────────────────────────────────────

type ActionsOf = (input: Record<string, unknown>) => string[];
const only =
  (...actions: string[]): ActionsOf =>
  () =>
    actions;

/**
 * What each operation needs, per AWS's Service Authorization Reference and each API's
 * "Permissions" section (as the SDK's own command docs repeat it). Input-dependent where the
 * API says so. An operation missing here fails the test: map it.
 */
export const IAM_ACTIONS: Record<string, ActionsOf> = {
  // S3
  's3:ListObjectsV2': only('s3:ListBucket'),
  's3:ListObjectVersions': only('s3:ListBucketVersions'),
  's3:HeadBucket': only('s3:ListBucket'),
  's3:ListBuckets': only('s3:ListAllMyBuckets'),
  's3:GetObject': only('s3:GetObject'),
  's3:HeadObject': only('s3:GetObject'),
  's3:PutObject': only('s3:PutObject'),
  's3:CreateMultipartUpload': only('s3:PutObject'),
  's3:UploadPart': only('s3:PutObject'),
  's3:CompleteMultipartUpload': only('s3:PutObject'),
  's3:AbortMultipartUpload': only('s3:AbortMultipartUpload'),
  // Reads the source, writes the target.
  's3:CopyObject': only('s3:GetObject', 's3:PutObject'),
  's3:UploadPartCopy': only('s3:GetObject', 's3:PutObject'),
  // A conditional delete with an ETag (If-Match) needs s3:GetObject too (S3 user guide, "How to perform conditional deletes").
  's3:DeleteObject': (input) =>
    typeof input.IfMatch === 'string' && input.IfMatch !== '*' ? ['s3:DeleteObject', 's3:GetObject'] : ['s3:DeleteObject'],
  // s3:DeleteObject always; s3:DeleteObjectVersion for the objects named with a version.
  's3:DeleteObjects': (input) => {
    const objects = (input.Delete as { Objects?: { VersionId?: string }[] } | undefined)?.Objects ?? [];
    return objects.some((o) => o.VersionId !== undefined) ? ['s3:DeleteObject', 's3:DeleteObjectVersion'] : ['s3:DeleteObject'];
  },
  // With the x-amz-object-ownership header, s3:PutBucketOwnershipControls too.
  's3:CreateBucket': (input) =>
    input.ObjectOwnership !== undefined ? ['s3:CreateBucket', 's3:PutBucketOwnershipControls'] : ['s3:CreateBucket'],
  's3:DeleteBucket': only('s3:DeleteBucket'),
  's3:GetBucketTagging': only('s3:GetBucketTagging'),
  's3:PutBucketTagging': only('s3:PutBucketTagging'),
  's3:PutBucketPolicy': only('s3:PutBucketPolicy'),
  's3:PutPublicAccessBlock': only('s3:PutBucketPublicAccessBlock'),
  's3:PutBucketOwnershipControls': only('s3:PutBucketOwnershipControls'),
  's3:PutBucketVersioning': only('s3:PutBucketVersioning'),
  // CloudFront
  'cloudfront:CreateInvalidation': only('cloudfront:CreateInvalidation'),
  'cloudfront:GetInvalidation': only('cloudfront:GetInvalidation'),
  'cloudfront:ListDistributions': only('cloudfront:ListDistributions'),
  'cloudfront:GetDistribution': only('cloudfront:GetDistribution'),
  'cloudfront:GetDistributionConfig': only('cloudfront:GetDistributionConfig'),
  'cloudfront:UpdateDistribution': only('cloudfront:UpdateDistribution'),
  'cloudfront:DeleteDistribution': only('cloudfront:DeleteDistribution'),
  // No IAM action of its own: "requires the following IAM permissions: CreateDistribution, TagResource".
  'cloudfront:CreateDistributionWithTags': only('cloudfront:CreateDistribution', 'cloudfront:TagResource'),
  'cloudfront:TagResource': only('cloudfront:TagResource'),
  'cloudfront:ListTagsForResource': only('cloudfront:ListTagsForResource'),
  'cloudfront:ListOriginAccessControls': only('cloudfront:ListOriginAccessControls'),
  'cloudfront:CreateOriginAccessControl': only('cloudfront:CreateOriginAccessControl'),
  'cloudfront:GetOriginAccessControl': only('cloudfront:GetOriginAccessControl'),
  'cloudfront:DeleteOriginAccessControl': only('cloudfront:DeleteOriginAccessControl'),
  // Route 53
  'route53:ListResourceRecordSets': only('route53:ListResourceRecordSets'),
  'route53:ChangeResourceRecordSets': only('route53:ChangeResourceRecordSets'),
  'route53:GetChange': only('route53:GetChange'),
  // ECS (registering a task definition with tags also needs ecs:TagResource: the revision carries the current one's tags)
  'ecs:DescribeServices': only('ecs:DescribeServices'),
  'ecs:ListServiceDeployments': only('ecs:ListServiceDeployments'),
  'ecs:DescribeServiceDeployments': only('ecs:DescribeServiceDeployments'),
  'ecs:StopServiceDeployment': only('ecs:StopServiceDeployment'),
  'ecs:ContinueServiceDeployment': only('ecs:ContinueServiceDeployment'),
  'ecs:DescribeServiceRevisions': only('ecs:DescribeServiceRevisions'),
  'ecs:DescribeTaskDefinition': only('ecs:DescribeTaskDefinition'),
  'ecs:RegisterTaskDefinition': (input) =>
    Array.isArray(input.tags) && input.tags.length > 0 ? ['ecs:RegisterTaskDefinition', 'ecs:TagResource'] : ['ecs:RegisterTaskDefinition'],
  'ecs:UpdateService': only('ecs:UpdateService'),
  'ecs:RunTask': (input) => (Array.isArray(input.tags) && input.tags.length > 0 ? ['ecs:RunTask', 'ecs:TagResource'] : ['ecs:RunTask']),
  'ecs:DescribeTasks': only('ecs:DescribeTasks'),
  'ecs:ListTasks': only('ecs:ListTasks'),
  'ecs:StopTask': only('ecs:StopTask'),
  // CloudWatch Logs
  'logs:GetLogEvents': only('logs:GetLogEvents'),
};

export class UnmappedOperation extends Error {}

/** The IAM actions one recorded call needs. */
export function iamActionsOf(call: RecordedCall, table: Record<string, ActionsOf> = IAM_ACTIONS): string[] {
  const key = `${call.service}:${call.operation}`;
  const map = table[key];
  if (!map)
    throw new UnmappedOperation(
      `${key} is called but has no IAM mapping: map it in IAM_ACTIONS (test/reliability/least-privilege-support.ts), from AWS's Service Authorization Reference`,
    );
  return map(call.input);
}

/** Every IAM action the calls need, each with the operations that need it. */
export function usedActions(calls: readonly RecordedCall[], table: Record<string, ActionsOf> = IAM_ACTIONS): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const call of calls) {
    for (const action of iamActionsOf(call, table)) {
      const by = used.get(action) ?? new Set<string>();
      by.add(`${call.service}:${call.operation}`);
      used.set(action, by);
    }
  }
  return used;
}

// ── the README's policy ─────────────────────────────────────────────────────────────────────

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: unknown;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/**
 * The policy in the fenced ```json block directly under `heading` (the heading line, blank lines,
 * then the block). Throws with the reason when the heading or the block is missing or not a policy.
 */
export function policyUnderHeading(markdown: string, heading: string, where = 'README'): PolicyDocument {
  const lines = markdown.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === heading);
  if (at < 0) throw new Error(`${where} has no heading "${heading}"`);
  let i = at + 1;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (lines[i]?.trim() !== '```json') throw new Error(`${where}: "${heading}" must be followed directly by a \`\`\`json block`);
  const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
  if (end < 0) throw new Error(`${where}: the \`\`\`json block under "${heading}" is not closed`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(lines.slice(i + 1, end).join('\n'));
  } catch (error) {
    throw new Error(`${where}: the block under "${heading}" is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const doc = parsed as Partial<PolicyDocument>;
  if (doc.Version !== '2012-10-17' || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
    throw new Error(
      `${where}: the block under "${heading}" is not a complete IAM policy document ({"Version": "2012-10-17", "Statement": [...]})`,
    );
  }
  return doc as PolicyDocument;
}

export const readPolicy = (readmePath: string, heading: string): PolicyDocument =>
  policyUnderHeading(readFileSync(readmePath, 'utf8'), heading, readmePath);

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

// ── the comparison ──────────────────────────────────────────────────────────────────────────

/** A permission the action needs although no SDK call of its own shows it (a service checks it on the action's behalf). */
export interface ImpliedPermission {
  action: string;
  reason: string;
}

/**
 * Actions whose only sensible Resource is "*": the Service Authorization Reference lists no
 * resource type for them (or, for ecs:ListTasks, only container instances, which Fargate has none
 * of; the statement is scoped with the ecs:cluster condition instead).
 */
export const RESOURCELESS_ACTIONS: ReadonlySet<string> = new Set([
  's3:ListAllMyBuckets',
  'cloudfront:CreateDistribution',
  'cloudfront:CreateOriginAccessControl',
  'cloudfront:ListDistributions',
  'cloudfront:ListOriginAccessControls',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'ecs:ListTasks',
]);

export interface PolicyComparison {
  /** Needed (recorded or implied) but not granted. */
  missing: string[];
  /** Granted but never needed. */
  unused: string[];
  /** Other defects of the policy: wildcards, Deny/NotAction, a "*" resource where a narrower one exists. */
  defects: string[];
}

export function comparePolicy(
  policy: PolicyDocument,
  used: Iterable<string>,
  implied: readonly ImpliedPermission[] = [],
): PolicyComparison {
  const needed = [...new Set([...used, ...implied.map((i) => i.action)])].sort();
  const defects: string[] = [];
  const granted: string[] = [];
  for (const [n, s] of policy.Statement.entries()) {
    const name = s.Sid ?? `statement ${n + 1}`;
    if (s.Effect !== 'Allow') defects.push(`${name}: Effect ${String(s.Effect)} (only Allow statements belong in a minimal policy)`);
    if (s.NotAction !== undefined || s.NotResource !== undefined) defects.push(`${name}: NotAction/NotResource grant more than they name`);
    const actions = asList(s.Action);
    const resources = asList(s.Resource);
    if (actions.length === 0) defects.push(`${name}: no Action`);
    if (resources.length === 0) defects.push(`${name}: no Resource`);
    for (const a of actions) {
      if (/[*?]/.test(a)) defects.push(`${name}: ${a} is a wildcard, which grants actions nobody checked: spell them out`);
      if (resources.includes('*') && !RESOURCELESS_ACTIONS.has(a))
        defects.push(`${name}: ${a} on Resource "*", but it can be scoped to a resource ARN`);
      if (s.Effect === 'Allow') granted.push(a);
    }
  }
  for (const i of implied) if (i.reason.trim() === '') defects.push(`implied ${i.action} has no reason`);
  const missing = needed.filter((a) => !granted.some((g) => actionMatches(g, a)));
  const unused = [...new Set(granted)].filter((g) => !needed.some((a) => actionMatches(g, a))).sort();
  return { missing, unused, defects };
}

/** What a failure prints: per operation its IAM actions, what the policy grants, and the differences. */
export function describeComparison(
  name: string,
  calls: readonly RecordedCall[],
  policy: PolicyDocument,
  implied: readonly ImpliedPermission[],
  result: PolicyComparison,
): string {
  const used = usedActions(calls);
  const operations = [...new Set(calls.map((c) => `${c.service}:${c.operation}`))].sort();
  const exact = result.missing.length === 0 && result.unused.length === 0 && result.defects.length === 0;
  const lines = [
    exact
      ? `${name}: the README's policy grants exactly what the action uses.`
      : `${name}: the README's policy does not match what the action does.`,
    `  missing from the policy: ${result.missing.join(', ') || '(none)'}`,
    `  granted but never used:  ${result.unused.join(', ') || '(none)'}`,
    ...result.defects.map((d) => `  defect: ${d}`),
    '  recorded operations → IAM actions:',
    ...operations.map(
      (o) =>
        `    ${o} → ${[...used]
          .filter(([, by]) => by.has(o))
          .map(([a]) => a)
          .join(', ')}`,
    ),
    `  implied: ${implied.map((i) => `${i.action} (${i.reason})`).join('; ') || '(none)'}`,
    `  granted: ${[...new Set(policy.Statement.flatMap((s) => asList(s.Action)))].sort().join(', ')}`,
  ];
  return lines.join('\n');
}
