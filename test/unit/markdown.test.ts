import { describe, expect, it } from 'vitest';
import { boundedList, codeSpan, escapeMarkdown, MAX_LISTED, table } from '../../src/lib/util/markdown.js';

describe('table', () => {
  it('a header line, the alignment rule, one line per row', () => {
    expect(
      table(
        ['name', 'size'],
        [
          ['a', 1],
          ['b', 22],
        ],
      ),
    ).toEqual(['| name | size |', '|---|---|', '| a | 1 |', '| b | 22 |']);
  });

  it('no rows: the header and the rule', () => {
    expect(table(['name'], [])).toEqual(['| name |', '|---|']);
  });

  it('left, right and center columns', () => {
    const cols = [
      { title: 'l', align: 'left' as const },
      { title: 'r', align: 'right' as const },
      { title: 'c', align: 'center' as const },
      'plain',
    ];
    expect(table(cols, [])[1]).toBe('|---|---:|:-:|---|');
  });

  it('an empty cell is one space between its pipes, in the header and the body', () => {
    expect(
      table(
        ['', ''],
        [
          ['key', ''],
          ['', 'value'],
        ],
      ),
    ).toEqual(['| | |', '|---|---|', '| key | |', '| | value |']);
  });

  it('escapes a raw pipe, in the header and the body', () => {
    expect(table(['a|b'], [['x | y']])).toEqual(['| a\\|b |', '|---|', '| x \\| y |']);
  });

  it('flattens a newline (and a CRLF) to one space', () => {
    expect(table(['h'], [['one\ntwo'], ['three\r\nfour'], ['five\rsix']]).slice(2)).toEqual([
      '| one two |',
      '| three four |',
      '| five six |',
    ]);
  });

  it('leaves an already escaped pipe alone: codeSpan and escapeMarkdown output passes through', () => {
    expect(table(['h'], [['a\\|b'], [codeSpan('x|y')], [escapeMarkdown('p|q')]]).slice(2)).toEqual([
      '| a\\|b |',
      '| `x\\|y` |',
      '| p\\|q |',
    ]);
  });

  it('escapes a pipe after an escaped backslash (an even run of backslashes does not escape it)', () => {
    expect(table(['h'], [['a\\\\|b'], ['a\\\\\\|b']]).slice(2)).toEqual(['| a\\\\\\|b |', '| a\\\\\\|b |']);
  });

  it('a row with the wrong number of cells is a mistake', () => {
    expect(() => table(['a', 'b'], [['1']])).toThrow(/1 cells for 2 columns/);
  });
});

describe('boundedList', () => {
  it('lists up to MAX_LISTED entries, then counts the rest', () => {
    expect(MAX_LISTED).toBe(50);
    const lines = boundedList(Array.from({ length: MAX_LISTED + 3 }, (_, i) => `f${i}`));
    expect(lines).toHaveLength(MAX_LISTED + 1);
    expect(lines[0]).toBe('- `f0`');
    expect(lines.at(-1)).toBe('- … and 3 more');
    expect(boundedList(['a|b'])).toEqual(['- `a|b`']);
    expect(boundedList([1, 2], (n) => `#${n}`)).toEqual(['- #1', '- #2']);
  });
});
