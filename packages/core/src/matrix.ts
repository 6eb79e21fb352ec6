/** A row-major matrix of float32 values: `data.length === rows * columns`. */
export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly data: Float32Array;
}

/** A view (no copy) of row `index` of `matrix`. */
export function matrixRow(matrix: Matrix, index: number): Float32Array {
  if (index < 0 || index >= matrix.rows) throw new RangeError(`row ${index} is outside [0, ${matrix.rows})`);
  return matrix.data.subarray(index * matrix.columns, (index + 1) * matrix.columns);
}

export function createMatrix(rows: number, columns: number, data?: Float32Array): Matrix {
  const buffer = data ?? new Float32Array(rows * columns);
  if (buffer.length !== rows * columns) {
    throw new RangeError(`matrix data has ${buffer.length} values, expected ${rows} x ${columns}`);
  }
  return { rows, columns, data: buffer };
}
