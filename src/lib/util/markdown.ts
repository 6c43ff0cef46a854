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
