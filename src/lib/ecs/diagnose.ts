// After a problem, before the rollback: what ECS knows, into the report.
import type { Service } from '@aws-sdk/client-ecs';
import { describeServices, describeStoppedTask, eventsSince, lastLogLines } from './diagnostics.js';
import type { DeployRun, Progress } from './progress.js';

/** Service events since the deploy began; the first stopped tasks of the new revision, with their last log lines. */
export async function diagnose(run: DeployRun, progress: Progress): Promise<void> {
  const { request, deps } = run;
  const { diagnostics } = progress.result;
  const described = await describeServices(deps.clients, request.cluster, request.services).catch(() => [] as Service[]);
  const since = new Date(run.start);
  for (const s of described) for (const e of eventsSince(s, since)) diagnostics.push(`${s.serviceName} event: ${e}`);
  for (const task of progress.stoppedTasks.slice(0, 5)) {
    diagnostics.push(describeStoppedTask(task));
    for (const c of task.containers ?? [])
      for (const line of await lastLogLines(deps.clients, progress.definition, task, c.name ?? ''))
        diagnostics.push(`  ${c.name} | ${line}`);
  }
}
