import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';

export interface EcsClients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  /** A CloudWatch Logs client for another region (a container's awslogs-region); `logs` when absent. */
  logsIn?: (region: string) => CloudWatchLogsClient;
}

/**
 * Region and endpoints (AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL)
 * come from the environment. Credentials come from the SDK's default chain, which refreshes
 * expiring credentials (web identity, container, SSO) on its own during long waits.
 * The adaptive retry mode backs off under throttling.
 */
export function createEcsClients(): EcsClients {
  const config = { maxAttempts: 8, retryMode: 'adaptive' as const };
  const logs = new CloudWatchLogsClient(config);
  const byRegion = new Map<string, CloudWatchLogsClient>();
  const logsIn = (region: string) => {
    let client = byRegion.get(region);
    if (!client) byRegion.set(region, (client = new CloudWatchLogsClient({ ...config, region })));
    return client;
  };
  return { ecs: new ECSClient(config), logs, logsIn };
}
