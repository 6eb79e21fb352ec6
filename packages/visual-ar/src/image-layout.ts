import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, ModelFormatError } from '@decodekit/core';

/**
 * How a class-conditional image model lays out its vocabulary and its token grid
 * (`image_config.json` of an image model directory).
 */
export interface ImageTokenLayout {
  /** Image tokens are `0 .. codebookSize-1`; samplers never pick anything else. */
  readonly codebookSize: number;
  /** Number of classes; class `c` is the token `classTokenOffset + c`. */
  readonly numClasses: number;
  /** Class labels in index order (`"0"`, ..., `"A"`, ...). */
  readonly classes: readonly string[];
  /** Token id of class 0. */
  readonly classTokenOffset: number;
  /** The null-class token of the unconditional branch (classifier-free guidance). */
  readonly nullClassToken: number;
  /** Token grid `[rows, columns]`; a raster sequence is the class token then `rows * columns` image tokens row-major. */
  readonly grid: readonly [number, number];
}

/** The raw `image_config.json` (extra fields are kept). */
export type ImageConfigFile = ImageTokenLayout & Readonly<Record<string, unknown>>;

/** Checks a layout's fields and returns it; throws `InvalidArgumentError` naming the bad field. */
export function validateLayout(layout: ImageTokenLayout): ImageTokenLayout {
  const intAtLeast = (name: string, value: unknown, min: number) => {
    if (!Number.isInteger(value) || (value as number) < min) {
      throw new InvalidArgumentError(`layout.${name}`, `must be an integer >= ${min}, got ${String(value)}`);
    }
  };
  intAtLeast('codebookSize', layout.codebookSize, 1);
  intAtLeast('numClasses', layout.numClasses, 1);
  intAtLeast('classTokenOffset', layout.classTokenOffset, 0);
  intAtLeast('nullClassToken', layout.nullClassToken, 0);
  if (!Array.isArray(layout.grid) || layout.grid.length !== 2) {
    throw new InvalidArgumentError('layout.grid', `must be [rows, columns], got ${JSON.stringify(layout.grid)}`);
  }
  intAtLeast('grid[0]', layout.grid[0], 1);
  intAtLeast('grid[1]', layout.grid[1], 1);
  if (layout.classes.length !== layout.numClasses) {
    throw new InvalidArgumentError(
      'layout.classes',
      `has ${layout.classes.length} labels but numClasses is ${layout.numClasses}`,
    );
  }
  return layout;
}

/** Number of image tokens of one image (`rows * columns`). */
export function gridTokens(layout: ImageTokenLayout): number {
  return layout.grid[0] * layout.grid[1];
}

/**
 * The class index of `label` (a class label such as `"A"`, or a decimal index such as `"7"` when
 * no label matches). Throws `InvalidArgumentError` listing the labels when nothing matches.
 */
export function classIndexOf(layout: ImageTokenLayout, label: string | number): number {
  if (typeof label === 'number') {
    if (Number.isInteger(label) && label >= 0 && label < layout.numClasses) return label;
    throw new InvalidArgumentError('class', `index ${label} is outside [0, ${layout.numClasses})`);
  }
  const exact = layout.classes.indexOf(label);
  if (exact >= 0) return exact;
  throw new InvalidArgumentError('class', `unknown label '${label}'; the labels are ${layout.classes.join(' ')}`);
}

/**
 * Reads `image_config.json` of an image model directory (`@decodekit/models-tiny`'s `imageAr`,
 * `imageNar`). Throws `ModelFormatError` when it is missing or incomplete.
 */
export async function readImageLayout(directory: string, file = 'image_config.json'): Promise<ImageConfigFile> {
  const path = join(directory, file);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(
      `${path}: cannot read the image layout (${error instanceof Error ? error.message : String(error)}); ` +
        'an image model directory needs image_config.json with codebookSize, numClasses, classes, classTokenOffset, nullClassToken and grid.',
      { cause: error },
    );
  }
  const codebookSize = raw.codebookSize as number;
  const numClasses = (raw.numClasses as number | undefined) ?? (raw.classes as unknown[] | undefined)?.length;
  const layout = {
    ...raw,
    codebookSize,
    numClasses,
    classes: (raw.classes as string[] | undefined) ?? Array.from({ length: numClasses ?? 0 }, (_, i) => String(i)),
    classTokenOffset: (raw.classTokenOffset as number | undefined) ?? codebookSize,
    nullClassToken: (raw.nullClassToken as number | undefined) ?? codebookSize + (numClasses ?? 0),
    grid: raw.grid as [number, number],
  } as ImageConfigFile;
  try {
    validateLayout(layout);
  } catch (error) {
    throw new ModelFormatError(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return layout;
}
