// How a garbage collection reads in a summary: what stagings that never finished left.
import { humanDuration } from '../util/clock.js';
import { codeSpan, MAX_LISTED, plural, table } from '../util/markdown.js';
import type { GcResult } from './gc.js';

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
