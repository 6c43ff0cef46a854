// How a garbage collection reads in a summary: the release action's gc (in full) and the gc at the end
// of a releases deploy (deploy-static: what it deleted and what it keeps in grace), so both count
// releases and what stagings that never finished left the same way.
import { humanDuration } from '../util/clock.js';
import { codeSpan, MAX_LISTED, plural, table } from '../util/markdown.js';
import type { GcResult } from './gc.js';

/** Releases by decision: deleted (or, on a dry run, to delete), held, newest, in grace. */
export function releaseCounts(r: GcResult): { deleted: number; held: number; newest: number; grace: number } {
  const count = (d: string) => r.releases.filter((x) => x.decision === d).length;
  return { deleted: r.dryRun ? count('delete') : r.deleted.length, held: count('held'), newest: count('newest'), grace: count('grace') };
}

/** What stagings that never finished left: one sentence of counts, and a table of each (at most MAX_LISTED). */
export function orphanLines(r: GcResult): string[] {
  const o = r.orphans;
  if (o.folders.length + o.poolObjects.length === 0) return [];
  const toDelete = (d: { decision: string }[]) => d.filter((x) => x.decision === 'delete').length;
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = [
    `**Left by stagings that never finished** (a release folder without a record, pool objects no record uses; never served, so kept only until ${humanDuration(r.graceMs)} after their last write, by S3's LastModified): ${verb} ${plural(r.dryRun ? toDelete(o.folders) : o.foldersDeleted, 'release folder')} and ${plural(r.dryRun ? toDelete(o.poolObjects) : o.poolObjectsDeleted, 'pool object')}${r.dryRun ? '' : ` (${plural(o.objectsDeleted, 'object')} with their markers)`}; kept in grace: ${plural(o.foldersInGrace, 'folder')}, ${plural(o.poolObjectsInGrace, 'pool object')}.`,
    '',
  ];
  const rows = [
    ...o.folders.map((f) => [
      codeSpan(`_releases/${f.id}/`),
      `release folder, ${plural(f.objects, 'file')}`,
      f.lastModified,
      f.decision,
      f.deletableAt,
    ]),
    ...o.poolObjects.map((p) => [codeSpan(p.key), `pool object of ${codeSpan(p.id)}`, p.lastModified, p.decision, p.deletableAt]),
  ].map(([what, kind, at, decision, until]) => [what!, kind!, at!, decision === 'delete' ? verb : `in grace until ${until ?? '?'}`]);
  const shown = rows.slice(0, MAX_LISTED);
  if (rows.length > MAX_LISTED) shown.push([`… and ${rows.length - MAX_LISTED} more`, '', '', '']);
  lines.push(...table(['what', 'kind', 'last written', 'decision'], shown), '');
  return lines;
}

/** The gc a releases deploy ran after its switch, for deploy-static's summary (undefined: it did not run to the end). */
export function gcAfterDeployLines(r: GcResult | undefined): string[] {
  if (!r)
    return [
      "**Garbage collection** after the switch did not run to the end (the warning above says why): nothing it had not finished was deleted; the next deploy or the release action's `command: gc` finishes it.",
      '',
    ];
  const c = releaseCounts(r);
  const kept = [
    c.held > 0 ? `${c.held} held by a pointer` : '',
    c.newest > 0 ? `${c.newest} among the newest ${r.keep}` : '',
    c.grace > 0 ? `${c.grace} in their grace period` : '',
  ].filter(Boolean);
  const o = r.orphans;
  const orphans =
    o.folders.length + o.poolObjects.length === 0
      ? 'nothing left by a staging that never finished'
      : `left by stagings that never finished: ${plural(o.foldersDeleted, 'release folder')} and ${plural(o.poolObjectsDeleted, 'pool object')} deleted, ${plural(o.foldersInGrace, 'folder')} and ${plural(o.poolObjectsInGrace, 'pool object')} kept in grace`;
  const lines = [
    `**Garbage collection** after the switch (keep ${r.keep} per site, \`stale-asset-grace\` ${humanDuration(r.graceMs)}): ${plural(c.deleted, 'release')} deleted${
      c.deleted > 0
        ? ` (${r.deleted.map((id) => codeSpan(id, { inTable: false })).join(', ')}: ${plural(r.objectsDeleted, 'object')}, ${r.poolObjectsDeleted} of them pool files no kept release uses, ${plural(r.tableKeysDeleted, 'routing key')})`
        : ''
    }; ${plural(c.held + c.newest + c.grace, 'release')} kept${kept.length > 0 ? ` (${kept.join(', ')})` : ''}; ${orphans}.`,
    '',
  ];
  const inGrace = r.releases.filter((x) => x.decision === 'grace');
  if (inGrace.length > 0)
    lines.push(
      `In grace: ${inGrace
        .slice(0, MAX_LISTED)
        .map((x) => `${codeSpan(x.id, { inTable: false })} until ${x.deletableAt ?? '?'}`)
        .join(', ')}${inGrace.length > MAX_LISTED ? `, … and ${inGrace.length - MAX_LISTED} more` : ''}.`,
      '',
    );
  if (r.spared.length > 0)
    lines.push(`Spared (a pointer took them while gc ran): ${r.spared.map((id) => codeSpan(id, { inTable: false })).join(', ')}.`, '');
  return lines;
}
