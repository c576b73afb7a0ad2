// The summary's table drawn in linear time (summary.ts compactTable) is cli-table3's, byte for byte.
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { COMPACT, compactTable } from '../../shared/cli/summary.js';

const head = ['tool', 'status', 'attempts', 'exit code', 'reason', 'duration', 'peak memory'];
function cliTable3(rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [] }, chars: COMPACT });
  table.push(...rows);
  return table.toString();
}

describe('compactTable', () => {
  it("draws 500 rows of ASCII cells as cli-table3 does", () => {
    const rows = Array.from({ length: 500 }, (_, i) => [`t${String(i).padStart(5, '0')}`, i % 7 ? 'succeeded' : 'failed', 1 + (i % 3), i % 5 ? 0 : '-', i % 11 ? '-' : 'oom', `${(i / 100).toFixed(2)}s`, i % 4 ? '-' : '64Mi']);
    expect(compactTable(head, rows)).toBe(cliTable3(rows));
  });

  it('draws a table of no rows, empty cells and cells wider than their heading as cli-table3 does', () => {
    expect(compactTable(head, [])).toBe(cliTable3([]));
    const rows = [['align[sample-with-a-long-name]', '', 12, 137, 'cached (task 0123456789ab)', '4m05s', '1.5Gi']];
    expect(compactTable(head, rows)).toBe(cliTable3(rows));
  });

  it('leaves cells of other characters (wide, a newline) to cli-table3', () => {
    const rows = [['名前', 'succeeded', 1, 0, '-', '0.01s', '-'], ['a', 'failed', 1, 1, 'exit\ncode 1', '0.01s', '-']];
    expect(compactTable(head, rows)).toBe(cliTable3(rows));
  });
});
