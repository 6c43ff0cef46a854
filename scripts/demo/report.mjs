// The report at the end of the demo: one row per step, the checks, the verdict.

/** @param {import('./steps.mjs').RunRecord} record @param {{ failed: boolean, totalMs: number }} outcome */
export function printReport({ steps, checks }, { failed, totalMs }) {
  const rows = [
    ['#', 'step', 'action', 'exit', 'status', 'key outputs', 'time'],
    ...steps.map((s, i) => [
      String(i + 1),
      s.name,
      s.action,
      s.ran ? String(s.exitCode ?? 'killed') : '-',
      s.status,
      s.key.length > 90 ? `${s.key.slice(0, 89)}…` : s.key,
      s.ran ? `${(s.durationMs / 1000).toFixed(1)} s` : '-',
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (/** @type {string[]} */ r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(`\n═══ Report\n`);
  console.log(line(rows[0] ?? []));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  const anyCheckFailed = checks.some((c) => !c.ok);
  console.log(
    `\nchecks: ${checks.filter((c) => c.ok).length}/${checks.length} passed${
      anyCheckFailed
        ? ` (failed: ${checks
            .filter((c) => !c.ok)
            .map((c) => c.what)
            .join('; ')})`
        : ''
    }`,
  );
  console.log(
    `${failed ? 'FAILED' : 'all steps succeeded'} in ${(totalMs / 1000).toFixed(1)} s; moto, the fake GitHub, the fake ECS and /health are stopped.`,
  );
}
