/**
 * RFC 4180 CSV: a header row, then one row per item; fields with a comma,
 * quote or line break are quoted. Cells that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) are prefixed with `'`.
 *
 * @public
 */
export function toCsv(header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    let s = v === undefined || v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows]
    .map(r => r.map(cell).join(','))
    .join('\r\n')}\r\n`;
}
