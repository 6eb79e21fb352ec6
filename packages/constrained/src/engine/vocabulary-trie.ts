import type { TokenVocabulary } from '../constraint.js';

/**
 * The vocabulary's byte strings as a trie in flat arrays: children of node `n` are the edges
 * `edgeStart[n] .. edgeStart[n + 1]` (byte `edgeByte[e]`, child `edgeChild[e]`), tokens spelled
 * exactly by node `n` are `tokens[tokenStart[n] .. tokenStart[n + 1]]`. Node 0 is the root.
 */
export interface VocabularyTrie {
  readonly nodes: number;
  readonly edgeStart: Int32Array;
  readonly edgeByte: Uint8Array;
  readonly edgeChild: Int32Array;
  readonly tokenStart: Int32Array;
  readonly tokens: Int32Array;
}

const cache = new WeakMap<TokenVocabulary, VocabularyTrie>();

/** The trie of a vocabulary, built once and shared by every constraint over that vocabulary. */
export function vocabularyTrie(vocabulary: TokenVocabulary): VocabularyTrie {
  let trie = cache.get(vocabulary);
  if (trie === undefined) {
    trie = buildTrie(vocabulary);
    cache.set(vocabulary, trie);
  }
  return trie;
}

function buildTrie(vocabulary: TokenVocabulary): VocabularyTrie {
  const children: Map<number, number>[] = [new Map()];
  const ending: number[][] = [[]];
  for (let token = 0; token < vocabulary.size; token++) {
    const bytes = vocabulary.bytes(token);
    if (bytes.length === 0) continue;
    let node = 0;
    for (const byte of bytes) {
      let child = children[node].get(byte);
      if (child === undefined) {
        child = children.length;
        children.push(new Map());
        ending.push([]);
        children[node].set(byte, child);
      }
      node = child;
    }
    ending[node].push(token);
  }
  const nodes = children.length;
  const edgeStart = new Int32Array(nodes + 1);
  const tokenStart = new Int32Array(nodes + 1);
  let edges = 0;
  let tokenCount = 0;
  for (let n = 0; n < nodes; n++) {
    edgeStart[n] = edges;
    tokenStart[n] = tokenCount;
    edges += children[n].size;
    tokenCount += ending[n].length;
  }
  edgeStart[nodes] = edges;
  tokenStart[nodes] = tokenCount;
  const edgeByte = new Uint8Array(edges);
  const edgeChild = new Int32Array(edges);
  const tokens = new Int32Array(tokenCount);
  for (let n = 0; n < nodes; n++) {
    let e = edgeStart[n];
    for (const [byte, child] of [...children[n]].sort((a, b) => a[0] - b[0])) {
      edgeByte[e] = byte;
      edgeChild[e++] = child;
    }
    tokens.set(ending[n], tokenStart[n]);
  }
  return { nodes, edgeStart, edgeByte, edgeChild, tokenStart, tokens };
}
