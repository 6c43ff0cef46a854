// Text from outside (file names, paths, resource names, error messages) placed in Markdown —
// job summaries and PR comments — so that it reads as itself and cannot change what is around it.

/** Escapes text for Markdown and the inline HTML GitHub renders. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/**
 * A code span holding `text` verbatim (CommonMark: a fence of more backticks than any run inside,
 * padded when the text starts or ends with one); newlines become spaces. In a table cell (the
 * default) a pipe must be escaped, and GitHub then shows it bare; elsewhere an escape would show.
 */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  const flat = options.inTable === false ? oneLine : oneLine.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** `1 object`, `2 objects`: a count with its noun, plural when it is not one. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : pluralNoun}`;
}

/** How a table column is aligned: its rule is `---`, `---:` or `:-:`. */
export type ColumnAlign = 'left' | 'right' | 'center';

/** A table column: its title (Markdown), or the title and how the column is aligned (left unless said). */
export type Column = string | { title: string; align?: ColumnAlign };

const RULE: Record<ColumnAlign, string> = { left: '---', right: '---:', center: ':-:' };

/**
 * One cell made structurally safe: newlines flattened to a space, and every pipe not already
 * escaped (preceded by an odd run of backslashes) escaped, so nothing in it can end the cell or the
 * row. The text is Markdown: outside text still goes through codeSpan or escapeMarkdown first.
 */
function tableCell(text: string | number): string {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/(\\*)\|/g, (match, slashes: string) => (slashes.length % 2 === 1 ? match : `${slashes}\\|`));
}

/** `| a | b |`; an empty cell is one space between its pipes. */
const tableRow = (cells: (string | number)[]): string =>
  `|${cells
    .map((c) => tableCell(c))
    .map((c) => (c === '' ? ' ' : ` ${c} `))
    .join('|')}|`;

/**
 * The lines of a GitHub pipe table: the header, the alignment rule, one line per row. Every cell,
 * header and body, is Markdown made structurally safe (see tableCell): no value can break the table.
 */
export function table(columns: Column[], rows: (string | number)[][]): string[] {
  const cols = columns.map((c) => (typeof c === 'string' ? { title: c } : c));
  for (const row of rows) if (row.length !== cols.length) throw new Error(`A table row has ${row.length} cells for ${cols.length} columns`);
  return [
    tableRow(cols.map((c) => c.title)),
    `|${cols.map((c) => RULE[c.align ?? 'left']).join('|')}|`,
    ...rows.map((row) => tableRow(row)),
  ];
}

/** The most entries a summary lists one by one; the rest are counted. */
export const MAX_LISTED = 50;

/** A bullet list of at most MAX_LISTED lines, then `- … and N more`; `item` formats one entry (a code span by default). */
export function boundedList<T>(items: T[], item: (x: T) => string = (x) => codeSpan(String(x), { inTable: false })): string[] {
  const shown = items.slice(0, MAX_LISTED).map((x) => `- ${item(x)}`);
  if (items.length > MAX_LISTED) shown.push(`- … and ${items.length - MAX_LISTED} more`);
  return shown;
}
