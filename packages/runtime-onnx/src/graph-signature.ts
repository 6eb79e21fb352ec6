import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '@decodekit/core';

/** Input and output names of an ONNX graph. */
export interface GraphSignature {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A minimal protobuf reader: enough to walk ModelProto -> GraphProto -> ValueInfoProto names. */
function* fields(
  bytes: Uint8Array,
  start: number,
  end: number,
): Generator<[field: number, wire: number, from: number, to: number]> {
  let at = start;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= end) throw new RangeError('truncated varint');
      const byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
  };
  while (at < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const from = at;
      varint();
      yield [field, wire, from, at];
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      yield [field, wire, at, at + size];
      at += size;
    } else if (wire === 2) {
      const length = varint();
      if (at + length > end) throw new RangeError('truncated field');
      yield [field, wire, at, at + length];
      at += length;
    } else throw new RangeError(`unsupported wire type ${wire}`);
  }
}

const decoder = new TextDecoder();

function valueInfoName(bytes: Uint8Array, from: number, to: number): string {
  for (const [field, wire, start, end] of fields(bytes, from, to)) {
    if (field === 1 && wire === 2) return decoder.decode(bytes.subarray(start, end));
  }
  return '';
}

/**
 * Reads a graph's input and output names from the .onnx file without creating a session, so the
 * runtime can detect capabilities of extension graphs it only opens on first use. (Weights live in
 * external data for decodekit's graphs, so these files are small.)
 */
export async function readGraphSignature(path: string): Promise<GraphSignature> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelFormatError(`${path} cannot be read: ${String(error)}`, { cause: error });
  }
  try {
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (const [field, wire, from, to] of fields(bytes, 0, bytes.length)) {
      if (field !== 7 || wire !== 2) continue; // ModelProto.graph
      for (const [graphField, graphWire, start, end] of fields(bytes, from, to)) {
        if (graphWire !== 2) continue;
        if (graphField === 11)
          inputs.push(valueInfoName(bytes, start, end)); // GraphProto.input
        else if (graphField === 12) outputs.push(valueInfoName(bytes, start, end)); // GraphProto.output
      }
    }
    if (outputs.length === 0) throw new Error('no graph outputs found');
    return { inputs, outputs };
  } catch (error) {
    throw new ModelFormatError(`${path} is not a readable ONNX model (${String(error)}); re-export it.`, {
      cause: error,
    });
  }
}
