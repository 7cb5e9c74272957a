/**
 * One portfolio.json problem as one line: where (the JSON path, or the line and column of a
 * syntax error) and what — each said once ("line 34, column 24: invalid JSON …", not
 * "$ (line 34, column 24): invalid JSON at line 34, column 24: …").
 */
export interface ProblemLine {
  /** The JSON path, or null for the whole document. */
  where: string | null;
  message: string;
}

export function problemLine(e: { path: string; message: string; line?: number; column?: number }): ProblemLine {
  const where = e.path === '$' || e.path === '' || e.path === '(root)' ? null : e.path;
  if (e.line === undefined) return { where, message: e.message };
  const at = `line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ''}`;
  // The message may already say where (the core's syntax errors do): say it once.
  if (e.message.includes(at)) return { where, message: e.message };
  return { where, message: `${at}: ${e.message}` };
}
