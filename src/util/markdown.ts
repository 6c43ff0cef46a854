// Text from outside (file names, paths, resource names, error messages) placed in Markdown —
// job summaries and PR comments — so that it reads as itself and cannot change what is around it.

/** Escapes text for Markdown and the inline HTML GitHub renders. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/**
 * A code span holding `text` verbatim (CommonMark: a fence of more backticks than any run inside,
 * padded when the text starts or ends with one). Pipes are escaped so it is safe in a table cell,
 * newlines become spaces.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
