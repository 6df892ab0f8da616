// RFC 4180 CSV text from rows and an explicit column list: CRLF line ends, a header line, fields
// quoted only when they hold a comma, a quote, CR or LF (quotes doubled). It knows nothing of
// which series exist (index.ts chartDataCsv does) and writes no files.

/** A cell: numbers in JavaScript's shortest round-trip form, null/undefined as an empty field. */
export type CsvCell = string | number | boolean | null | undefined;

/** One column: its header and how to read the cell from a row. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvCell;
}

/** One field, quoted when RFC 4180 requires it. */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  let s: string;
  if (typeof cell === 'number') s = Number.isFinite(cell) ? String(Object.is(cell, -0) ? 0 : cell) : '';
  else if (typeof cell === 'boolean') s = cell ? 'true' : 'false';
  else s = cell;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The whole file: header line then one line per row, every line ended by CRLF. */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  let out = csvHeader(columns);
  for (const row of rows) out += csvLine(row, columns);
  return out;
}

/** The file's header line alone (CRLF-ended), for a CSV written row by row. */
export function csvHeader<T>(columns: readonly CsvColumn<T>[]): string {
  return `${columns.map((c) => csvField(c.header)).join(',')}\r\n`;
}

/** One row's line (CRLF-ended), for a CSV written row by row. */
export function csvLine<T>(row: T, columns: readonly CsvColumn<T>[]): string {
  return `${columns.map((c) => csvField(c.value(row))).join(',')}\r\n`;
}
