import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';

export interface EcsClients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
}

/**
 * Region and endpoints (AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL)
 * come from the environment. Credentials come from the SDK's default chain, which refreshes
 * expiring credentials (web identity, container, SSO) on its own during long waits.
 * The adaptive retry mode backs off under throttling.
 */
export function createEcsClients(): EcsClients {
  const config = { maxAttempts: 8, retryMode: 'adaptive' as const };
  return { ecs: new ECSClient(config), logs: new CloudWatchLogsClient(config) };
}
