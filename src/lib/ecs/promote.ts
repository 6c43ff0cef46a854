// promote-from: deploy exactly the image digests the source service runs now. ECS resolves a tag to
// a digest per service revision (API_ContainerImage), so the tag staging's task definition names
// may point elsewhere by now; DescribeServiceRevisions says what staging really runs.
import { DescribeServiceRevisionsCommand, DescribeTaskDefinitionCommand, type ContainerImage, type Service } from '@aws-sdk/client-ecs';
import type { Logger } from '../log/logger.js';
import { describeServices } from './diagnostics.js';
import type { ServiceDeploymentApi } from './service-deployment.js';
import type { EcsClients } from '../aws/ecs-clients.js';
import { containerNames, RenderError, type TaskDefinitionInput } from './task-definition.js';

export interface PromotedImage {
  container: string;
  /** The image as the source's task definition names it (usually a tag). */
  image: string;
  /** The digest the source runs, when ECS could say. */
  digest?: string;
  /** What is deployed: repository@digest, or the image itself when no digest is known. */
  deployed: string;
}

/** `registry/repo:tag` or `registry/repo@sha256:…` → `registry/repo@<digest>` (a registry port is kept). */
export function withDigest(image: string, digest: string): string {
  let name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  return `${name}@${digest}`;
}

/** The container images of the revision the source service runs now (the one of its task definition). */
async function runningImages(api: ServiceDeploymentApi, source: Service): Promise<ContainerImage[] | undefined> {
  const arns = (source.currentServiceRevisions ?? []).map((r) => r.arn ?? '').filter(Boolean);
  if (arns.length === 0) return undefined;
  const revisions = await api.call(
    'DescribeServiceRevisions',
    async (c) => (await c.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns.slice(0, 20) }))).serviceRevisions ?? [],
  );
  const current =
    revisions?.find((r) => r.taskDefinition === source.taskDefinition) ?? (revisions?.length === 1 ? revisions[0] : undefined);
  return current?.containerImages;
}

export async function promotedImages(
  from: { cluster: string; service: string },
  base: TaskDefinitionInput,
  clients: EcsClients,
  api: ServiceDeploymentApi,
  log: Logger,
): Promise<PromotedImage[]> {
  const [source] = await describeServices(clients, from.cluster, [from.service], 'promote-from');
  const sourceTd = (await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: source!.taskDefinition }))).taskDefinition;
  const names = new Set(containerNames(base));
  const running = await runningImages(api, source!);
  const promoted: PromotedImage[] = [];
  for (const c of sourceTd?.containerDefinitions ?? []) {
    if (!c.name || !c.image || !names.has(c.name)) continue;
    const digest = running?.find((i) => i.containerName === c.name)?.imageDigest;
    promoted.push({
      container: c.name,
      image: c.image,
      ...(digest ? { digest } : {}),
      deployed: digest ? withDigest(c.image, digest) : c.image,
    });
    if (!digest)
      log.warning(
        `promote-from: ECS did not say which digest ${from.cluster}/${from.service} runs for container ${c.name}; deploying ${c.image} as its task definition names it.`,
      );
  }
  if (promoted.length === 0)
    throw new RenderError(
      `Input 'promote-from' names ${from.cluster}/${from.service}, whose task definition has no container named like ours (${[...names].join(', ')}).`,
    );
  return promoted;
}
