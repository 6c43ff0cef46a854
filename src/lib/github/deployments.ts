// Transient GitHub deployments: what puts a "View deployment" button on the pull request.
import type { GitHub, Repo } from './client.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

export interface DeploymentRequest {
  ref: string;
  environment: string;
  description: string;
}

/** Creates a transient, non-production deployment that no status check or merge can hold up. */
export async function createDeployment(github: GitHub, repo: Repo, request: DeploymentRequest): Promise<number> {
  const response = await github.rest.repos.createDeployment({
    ...repo,
    ref: request.ref,
    environment: request.environment,
    description: request.description,
    transient_environment: true,
    production_environment: false,
    auto_merge: false,
    required_contexts: [],
  });
  if (response.status !== 201 || !('id' in response.data))
    throw new Error(`GitHub did not create the deployment: ${JSON.stringify(response.data)}`);
  return response.data.id;
}

export async function setDeploymentStatus(
  github: GitHub,
  repo: Repo,
  id: number,
  state: DeploymentState,
  details: { environmentUrl?: string; logUrl?: string; description?: string },
): Promise<void> {
  await github.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state,
    ...(details.environmentUrl !== undefined ? { environment_url: details.environmentUrl } : {}),
    ...(details.logUrl !== undefined ? { log_url: details.logUrl } : {}),
    ...(details.description !== undefined ? { description: details.description.slice(0, 140) } : {}),
  });
}

/**
 * Marks every deployment of the environment inactive, except those already inactive, so a second
 * cleanup sends no status. Returns how many were marked.
 */
export async function deactivateEnvironment(github: GitHub, repo: Repo, environment: string, description: string): Promise<number> {
  const deployments = await github.paginate(github.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
  let marked = 0;
  for (const d of deployments) {
    const { data: latest } = await github.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
    if (latest[0]?.state === 'inactive') continue;
    await setDeploymentStatus(github, repo, d.id, 'inactive', { description });
    marked++;
  }
  return marked;
}
