// A dedicated preview's DNS: the A and AAAA alias records of pr-{number}.<domain> in the hosted
// zone, pointing at its distribution; written before the upload, waited for before the link is given.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { errorCode } from '../../../aws/errors.js';
import { formatDuration } from '../../../util/clock.js';
import { previewHost } from '../../naming.js';
import { poll, verb } from './calls.js';
import type { DedicatedStoreDeps, DedicatedStoreSettings } from './config.js';
import type { Distribution } from './distribution.js';

/** The hosted zone of every CloudFront distribution, for alias records. */
export const CLOUDFRONT_ZONE = 'Z2FDTNDATAQYW2';

export class PreviewDns {
  constructor(
    private readonly settings: DedicatedStoreSettings,
    private readonly deps: DedicatedStoreDeps,
  ) {}

  private recordName(number: number): string {
    return `${previewHost(this.settings.domain, number)}.`;
  }

  private async aliasRecords(number: number): Promise<ResourceRecordSet[]> {
    const name = this.recordName(number);
    const response = await this.deps.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: this.settings.hostedZoneId,
        StartRecordName: name,
        StartRecordType: 'A',
        MaxItems: 4,
      }),
    );
    return (response.ResourceRecordSets ?? []).filter(
      (r) => r.Name?.toLowerCase() === name && (r.Type === 'A' || r.Type === 'AAAA') && r.AliasTarget,
    );
  }

  /** Points the PR's host at the distribution; the change to wait for, or undefined when the records already did. */
  async upsert(number: number, distribution: Distribution): Promise<string | undefined> {
    const name = this.recordName(number);
    const target = `${distribution.domainName}.`;
    const current = await this.aliasRecords(number);
    if (current.length === 2 && current.every((r) => r.AliasTarget?.DNSName?.toLowerCase() === target.toLowerCase())) return undefined;
    const changes: Change[] = (['A', 'AAAA'] as const).map((type) => ({
      Action: 'UPSERT',
      ResourceRecordSet: {
        Name: name,
        Type: type,
        AliasTarget: { HostedZoneId: CLOUDFRONT_ZONE, DNSName: target, EvaluateTargetHealth: false },
      },
    }));
    const response = await this.deps.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: this.settings.hostedZoneId,
        ChangeBatch: { Comment: `Slipway preview ${this.settings.repository}#${number}`, Changes: changes },
      }),
    );
    return response.ChangeInfo?.Id;
  }

  /** Waits until Route 53 has the change on all its servers; throws after `timeoutMs`. */
  async waitInSync(change: string, timeoutMs: number): Promise<void> {
    const synced = await poll(this.deps, 'the DNS records to be in sync', timeoutMs, async () => {
      const response = await this.deps.route53.send(new GetChangeCommand({ Id: change }));
      return response.ChangeInfo?.Status === 'INSYNC' ? true : undefined;
    });
    if (!synced) throw new Error(`Route 53 change ${change} was not in sync within ${formatDuration(timeoutMs)}`);
  }

  /** Deletes the PR's alias records, with exactly the values they have; the step, or undefined when there were none. */
  async remove(number: number, dryRun: boolean): Promise<string | undefined> {
    const records = await this.aliasRecords(number);
    if (records.length === 0) return undefined;
    if (!dryRun) {
      try {
        await this.deps.route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: this.settings.hostedZoneId,
            ChangeBatch: { Changes: records.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) },
          }),
        );
      } catch (error) {
        // A retried delete whose first attempt went through finds nothing to delete.
        if (errorCode(error) !== 'InvalidChangeBatch' || (await this.aliasRecords(number)).length > 0) throw error;
      }
    }
    return `${verb(dryRun, 'deleted', 'would delete')} DNS records ${records.map((r) => `${r.Type} ${r.Name ?? ''}`).join(', ')}`;
  }
}
