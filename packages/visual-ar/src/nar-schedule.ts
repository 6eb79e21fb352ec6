import { InvalidArgumentError } from '@decodekit/core';

/** A grid cell: row `i`, column `j`. */
export interface GridCell {
  readonly i: number;
  readonly j: number;
}

function checkGrid(rows: number, columns: number): void {
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(columns) || columns < 1) {
    throw new InvalidArgumentError('grid', `must be positive integers, got ${rows} x ${columns}`);
  }
}

/**
 * The cells of anti-diagonal `d` (`i + j = d`) of a `rows × columns` grid, rows ascending: the
 * tokens NAR produces in one forward step.
 */
export function diagonalCells(rows: number, columns: number, d: number): GridCell[] {
  checkGrid(rows, columns);
  const cells: GridCell[] = [];
  for (let i = Math.max(0, d - (columns - 1)); i <= Math.min(d, rows - 1); i++) cells.push({ i, j: d - i });
  return cells;
}

/**
 * NAR's generation order: `rows + columns − 1` steps, step `d` producing every cell at Manhattan
 * distance `d` from the top-left cell (rows ascending). Step 0 is the prefill of the condition token.
 */
export function narSchedule(rows: number, columns: number): GridCell[][] {
  checkGrid(rows, columns);
  return Array.from({ length: rows + columns - 1 }, (_, d) => diagonalCells(rows, columns, d));
}

/**
 * Where the logits of a cell come from: `right` is the index (in the previous step's input diagonal,
 * rows ascending) of the cell to its left, whose right-neighbour head predicts it; `below` the index
 * of the cell above, whose below-neighbour head predicts it; -1 when that neighbour does not exist.
 * At step 0 both are 0: the condition token's two heads are averaged for cell (0, 0).
 */
export interface HeadSources {
  readonly cell: GridCell;
  readonly right: number;
  readonly below: number;
}

/**
 * The head sources of every cell of diagonal `d` (rows ascending): for `d ≥ 1`, cell `(i, j)` takes
 * the right head of `(i, j−1)` and the below head of `(i−1, j)` from the input diagonal `d − 1`, and
 * averages the logits when both exist (first row: right only; first column: below only).
 */
export function headSources(rows: number, columns: number, d: number): HeadSources[] {
  const cells = diagonalCells(rows, columns, d);
  if (d === 0) return cells.map((cell) => ({ cell, right: 0, below: 0 }));
  const firstRow = Math.max(0, d - 1 - (columns - 1));
  return cells.map((cell) => ({
    cell,
    right: cell.j >= 1 ? cell.i - firstRow : -1,
    below: cell.i >= 1 ? cell.i - 1 - firstRow : -1,
  }));
}

/**
 * NAR's proximity attention mask over a token list given by Manhattan distances (`-1` for condition
 * tokens): `mask[a][b] = 1` iff `dist(b) ≤ dist(a)`. Row-major `[queries.length, keys.length]`;
 * `queries` default to the keys (the full-sequence, training-time mask).
 */
export function proximityMask(keys: ArrayLike<number>, queries: ArrayLike<number> = keys): Uint8Array {
  const mask = new Uint8Array(queries.length * keys.length);
  for (let a = 0; a < queries.length; a++) {
    for (let b = 0; b < keys.length; b++) mask[a * keys.length + b] = keys[b] <= queries[a] ? 1 : 0;
  }
  return mask;
}
