import type { TokenVocabulary } from '../constraint.js';
import type { AutomatonConstraint } from '../engine/automaton-constraint.js';
import { parseGbnf } from '../engine/gbnf.js';
import { parseRegex, type RegexNode } from '../engine/regex-parser.js';
import { intersectRanges, type Range } from '../engine/utf8.js';
import { ConstraintSyntaxError } from '../errors.js';
import { grammarConstraint, sharedGrammarConstraint } from './grammar.js';

/** A JSON Schema (the subset `jsonSchemaToGbnf` documents), as a parsed JSON value. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** Options of `jsonSchemaToGbnf` and `jsonSchemaConstraint`. */
export interface JsonSchemaOptions {
  /**
   * Where whitespace may go between JSON tokens. `compact` allows none (`{"a":1}`); `pretty`
   * (default, llama.cpp's policy) allows, after `{ [ , :` and before `} ]`, nothing, one space, or a
   * newline followed by up to 20 spaces or tabs, so both one-line and indented output fit while
   * the model cannot pad forever.
   */
  readonly whitespace?: 'compact' | 'pretty';
  /**
   * `jsonSchemaConstraint` only: reuse the recognizer and token index of an earlier constraint
   * with an equal schema (as JSON) and options over the same vocabulary object (default true).
   */
  readonly shareIndex?: boolean;
}

const annotations = new Set([
  'title',
  'description',
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$defs',
  'definitions',
]);

const supported = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
]);

/** Formats `format` constrains (others are rejected). */
export const supportedFormats = ['date', 'time', 'date-time', 'uuid'] as const;

const fail = (message: string): never => {
  throw new ConstraintSyntaxError('json-schema', message);
};

/** A GBNF string literal for `text`. */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

function classChar(code: number): string {
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code > 0xffff) return `\\U${code.toString(16).padStart(8, '0')}`;
  const c = String.fromCodePoint(code);
  return '\\"[]-^'.includes(c) ? `\\${c}` : c;
}

/** A GBNF character class for code point ranges (empty ranges give an unmatchable class). */
export function gbnfClass(ranges: readonly Range[]): string {
  return `[${ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('')}]`;
}

// Characters a JSON string may contain unescaped.
const unescapedRanges: Range[] = [
  [0x20, 0x21],
  [0x23, 0x5b],
  [0x5d, 0x10ffff],
];

/** Renders a regex (a JSON Schema `pattern`) as a GBNF expression over unescaped JSON string characters. */
function regexToGbnf(node: RegexNode): string {
  switch (node.kind) {
    case 'class': {
      const ranges = intersectRanges(node.ranges, unescapedRanges);
      if (ranges.length === 0) {
        fail(
          'a pattern character class only matches characters JSON must escape (", \\ or control characters); patterns are matched against unescaped output',
        );
      }
      return gbnfClass(ranges);
    }
    case 'sequence':
      return node.items.length === 0 ? '""' : `(${node.items.map(regexToGbnf).join(' ')})`;
    case 'alternation':
      return `(${node.items.map(regexToGbnf).join(' | ')})`;
    case 'repeat': {
      const inner = regexToGbnf(node.item);
      if (node.max === Infinity) return node.min === 0 ? `${inner}*` : `${inner}{${node.min},}`;
      return `${inner}{${node.min},${node.max}}`;
    }
  }
}

// --- integer ranges as digit patterns -------------------------------------------------------

function digitClass(lo: string, hi: string): string {
  return lo === hi ? `"${lo}"` : `[${lo}-${hi}]`;
}

function sameLength(a: string, b: string): string[] {
  if (a.length === 1) return [digitClass(a, b)];
  const n = a.length - 1;
  const tailA = a.slice(1);
  const tailB = b.slice(1);
  if (a[0] === b[0]) return sameLength(tailA, tailB).map((s) => `"${a[0]}" ${s}`);
  const zeros = '0'.repeat(n);
  const nines = '9'.repeat(n);
  const out: string[] = [];
  let low = Number(a[0]);
  let high = Number(b[0]);
  if (tailA !== zeros) {
    out.push(...sameLength(tailA, nines).map((s) => `"${a[0]}" ${s}`));
    low++;
  }
  if (tailB !== nines) high--;
  if (low <= high) out.push(`${digitClass(String(low), String(high))} [0-9]{${n}}`);
  if (tailB !== nines) out.push(...sameLength(zeros, tailB).map((s) => `"${b[0]}" ${s}`));
  return out;
}

/** Alternatives matching the decimal form (no leading zeros) of every integer in [lo, hi], lo ≥ 0. */
function naturalRange(lo: number, hi: number): string[] {
  if (lo > hi) return [];
  if (hi === Infinity) {
    const k = String(lo).length;
    return [...naturalRange(lo, 10 ** k - 1), `[1-9] [0-9]{${k},}`];
  }
  const a = String(lo);
  const b = String(hi);
  if (a.length < b.length) return [...naturalRange(lo, 10 ** a.length - 1), ...naturalRange(10 ** a.length, hi)];
  return sameLength(a, b);
}

/**
 * A GBNF expression for the decimal numbers in [min, max], bounds integers or infinite: an integer
 * part in range with any fraction, or the bound itself with an all-zero fraction. No exponent.
 */
export function numberRangeGbnf(min: number, max: number): string {
  if (min > max) fail(`no number lies in [${min}, ${max}]`);
  const fraction = '( "." [0-9]+ )?';
  const zeros = '( "." "0"+ )?';
  const parts: string[] = [];
  if (max >= 0) {
    const low = Math.max(min, 0);
    const below = naturalRange(low, max - 1);
    if (below.length > 0) parts.push(`(${below.join(' | ')}) ${fraction}`);
    if (max !== Infinity) parts.push(`"${max}" ${zeros}`);
  }
  if (min < 0) {
    // x = -(m + f): m from max(0, -max) (any fraction) below -min, or m = -min with zero fraction.
    const low = max >= 0 ? 0 : -max;
    const below = naturalRange(low, -min - 1);
    if (below.length > 0) parts.push(`"-" (${below.join(' | ')}) ${fraction}`);
    if (min !== -Infinity && low <= -min) parts.push(`"-" "${-min}" ${zeros}`);
  }
  return `(${parts.join(' | ')})`;
}

/** A GBNF expression for the integers in [min, max] (either may be infinite). */
export function integerRangeGbnf(min: number, max: number): string {
  const parts: string[] = [];
  if (max >= 0) parts.push(...naturalRange(Math.max(min, 0), max));
  if (min < 0) {
    const absolute = naturalRange(Math.max(1, -max), -min);
    if (absolute.length > 0) parts.push(`"-" (${absolute.join(' | ')})`);
  }
  if (parts.length === 0) fail(`no integer lies in [${min}, ${max}]`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' | ')})`;
}

// --- the compiler ----------------------------------------------------------------------------

class Compiler {
  readonly rules = new Map<string, string>();
  readonly #refs = new Map<string, string>();
  readonly #root: JsonSchema;
  readonly #ws: string;

  constructor(root: JsonSchema, options: JsonSchemaOptions) {
    this.#root = root;
    const pretty = (options.whitespace ?? 'pretty') === 'pretty';
    this.#ws = pretty ? 'ws' : '';
    if (pretty) this.rules.set('ws', '( " " | "\\n" [ \\t]{0,20} )?');
    this.rules.set('json-char', '[^"\\\\\\x00-\\x1f] | "\\\\" ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} )');
    this.rules.set('json-string', '"\\"" json-char* "\\""');
    this.rules.set('json-number', '"-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?');
    this.rules.set('json-integer', '"-"? ( "0" | [1-9] [0-9]* )');
  }

  #fresh(base: string): string {
    const clean =
      base
        .replace(/[^a-zA-Z0-9-]/g, '-')
        .replace(/-+/g, '-')
        .replace(/^-|-$/g, '') || 'x';
    let name = clean;
    for (let i = 1; this.rules.has(name) || name === 'root'; i++) name = `${clean}-${i}`;
    this.rules.set(name, '');
    return name;
  }

  #sep(...parts: string[]): string {
    return parts.filter((p) => p !== '').join(' ');
  }

  #anyValue(): string {
    if (!this.rules.has('json-value')) {
      const w = this.#ws;
      this.rules.set('json-value', 'json-object | json-array | json-string | json-number | "true" | "false" | "null"');
      this.rules.set(
        'json-object',
        this.#sep(
          '"{"',
          w,
          '( json-string',
          w,
          '":"',
          w,
          'json-value',
          w,
          '( ","',
          w,
          'json-string',
          w,
          '":"',
          w,
          'json-value',
          w,
          ')* )? "}"',
        ),
      );
      this.rules.set('json-array', this.#sep('"["', w, '( json-value', w, '( ","', w, 'json-value', w, ')* )? "]"'));
    }
    return 'json-value';
  }

  /** The rule name for `#/...` references. */
  #ref(ref: string): string {
    let name = this.#refs.get(ref);
    if (name !== undefined) return name;
    if (!ref.startsWith('#')) fail(`only local references ("#/$defs/name") are supported, got "${ref}"`);
    let target: unknown = this.#root;
    const path = ref
      .slice(1)
      .split('/')
      .filter((p) => p !== '');
    for (const raw of path) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (typeof target !== 'object' || target === null || !(key in target)) fail(`reference "${ref}" points nowhere`);
      target = (target as Record<string, unknown>)[key];
    }
    name = this.#fresh(`ref-${path[path.length - 1] ?? 'root'}`);
    this.#refs.set(ref, name);
    this.rules.set(name, this.compile(target as JsonSchema, name));
    return name;
  }

  /** Compiles `schema` to a GBNF expression; `name` is a base for helper rule names. */
  compile(schema: JsonSchema, name: string): string {
    if (schema === true) return this.#anyValue();
    if (schema === false) return fail(`the schema at ${name} is false: nothing is valid there`);
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      return fail(`a schema must be an object or a boolean, got ${JSON.stringify(schema)} at ${name}`);
    }
    for (const keyword of Object.keys(schema)) {
      if (!supported.has(keyword) && !annotations.has(keyword)) {
        fail(`keyword "${keyword}" (at ${name}) is not supported; see the supported subset in docs/constrained.md`);
      }
    }
    const s = schema as Record<string, unknown>;
    if (s.$ref !== undefined) {
      if (typeof s.$ref !== 'string') fail(`$ref must be a string at ${name}`);
      return this.#ref(s.$ref as string);
    }
    if (s.const !== undefined) return gbnfLiteral(JSON.stringify(s.const));
    if (s.enum !== undefined) {
      if (!Array.isArray(s.enum) || s.enum.length === 0) fail(`enum must be a non-empty array at ${name}`);
      return `(${(s.enum as unknown[]).map((v) => gbnfLiteral(JSON.stringify(v))).join(' | ')})`;
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (s[key] !== undefined) {
        const list = s[key];
        if (!Array.isArray(list) || list.length === 0) fail(`${key} must be a non-empty array at ${name}`);
        const rest = { ...s };
        delete rest[key];
        const base = Object.keys(rest).some((k) => supported.has(k)) ? rest : undefined;
        return `(${(list as JsonSchema[])
          .map((sub, i) => {
            const merged = base && typeof sub === 'object' ? { ...base, ...sub } : sub;
            return this.#named(merged, `${name}-${i}`);
          })
          .join(' | ')})`;
      }
    }
    if (s.allOf !== undefined) {
      const list = s.allOf;
      if (!Array.isArray(list) || list.length === 0) fail(`allOf must be a non-empty array at ${name}`);
      const rest = { ...s };
      delete rest.allOf;
      return this.compile(mergeAll(rest, list as JsonSchema[], name), name);
    }
    let type = s.type;
    if (type === undefined) type = inferType(s);
    if (Array.isArray(type)) {
      if (type.length === 0 || !type.every((t) => typeof t === 'string'))
        fail(`type must be a string or a non-empty array of strings at ${name}`);
      return `(${type.map((t) => this.#named({ ...s, type: t }, `${name}-${t}`)).join(' | ')})`;
    }
    switch (type) {
      case undefined:
        return this.#anyValue();
      case 'null':
        return '"null"';
      case 'boolean':
        return '( "true" | "false" )';
      case 'string':
        return this.#string(s, name);
      case 'integer':
        return this.#integer(s, name);
      case 'number':
        return this.#number(s, name);
      case 'array':
        return this.#array(s, name);
      case 'object':
        return this.#object(s, name);
      default:
        return fail(`unknown type ${JSON.stringify(type)} at ${name}`);
    }
  }

  #named(schema: JsonSchema, base: string): string {
    const name = this.#fresh(base);
    this.rules.set(name, this.compile(schema, name));
    return name;
  }

  #string(s: Record<string, unknown>, name: string): string {
    if (s.pattern !== undefined) {
      if (typeof s.pattern !== 'string') fail(`pattern must be a string at ${name}`);
      if (s.minLength !== undefined || s.maxLength !== undefined || s.format !== undefined) {
        fail(`pattern cannot be combined with minLength/maxLength/format at ${name}; put the length in the pattern`);
      }
      let tree: RegexNode;
      try {
        tree = parseRegex(s.pattern as string);
      } catch (error) {
        return fail(`pattern at ${name}: ${(error as Error).message}`);
      }
      return `"\\"" ${regexToGbnf(tree)} "\\""`;
    }
    if (s.format !== undefined) {
      const body = formats[s.format as string];
      if (body === undefined)
        fail(`format "${String(s.format)}" is not supported (supported: ${supportedFormats.join(', ')}) at ${name}`);
      return `"\\"" ${body} "\\""`;
    }
    const min = integerKeyword(s, 'minLength', name) ?? 0;
    const max = integerKeyword(s, 'maxLength', name) ?? Infinity;
    if (min === 0 && max === Infinity) return 'json-string';
    if (max < min) fail(`maxLength < minLength at ${name}`);
    return `"\\"" json-char{${min},${max === Infinity ? '' : max}} "\\""`;
  }

  #integer(s: Record<string, unknown>, name: string): string {
    let min = -Infinity;
    let max = Infinity;
    if (s.minimum !== undefined) min = Math.max(min, Math.ceil(numberKeyword(s, 'minimum', name)));
    if (s.exclusiveMinimum !== undefined)
      min = Math.max(min, Math.floor(numberKeyword(s, 'exclusiveMinimum', name)) + 1);
    if (s.maximum !== undefined) max = Math.min(max, Math.floor(numberKeyword(s, 'maximum', name)));
    if (s.exclusiveMaximum !== undefined)
      max = Math.min(max, Math.ceil(numberKeyword(s, 'exclusiveMaximum', name)) - 1);
    if (min === -Infinity && max === Infinity) return 'json-integer';
    for (const bound of [min, max]) {
      if (Number.isFinite(bound) && !Number.isSafeInteger(bound))
        fail(`integer bounds must be safe integers at ${name}`);
    }
    return integerRangeGbnf(min, max);
  }

  #number(s: Record<string, unknown>, name: string): string {
    if (s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined) {
      fail(
        `exclusiveMinimum/exclusiveMaximum on numbers are not supported at ${name}; use integer minimum/maximum or "type": "integer"`,
      );
    }
    if (s.minimum === undefined && s.maximum === undefined) return 'json-number';
    const min = s.minimum === undefined ? -Infinity : numberKeyword(s, 'minimum', name);
    const max = s.maximum === undefined ? Infinity : numberKeyword(s, 'maximum', name);
    for (const bound of [min, max]) {
      if (Number.isFinite(bound) && !Number.isSafeInteger(bound)) {
        fail(`number bounds must be integers (got ${bound}) at ${name}; scale the quantity or use a string pattern`);
      }
    }
    return numberRangeGbnf(min, max);
  }

  // An object whose member count is bounded: rule (i, c, e) emits the members from property i on,
  // having emitted c so far (capped at minProperties when there is no maximum) and e = whether a
  // comma is needed. Combinations that cannot reach the bounds get no rule.
  #countedObject(
    name: string,
    members: readonly string[],
    required: ReadonlySet<string>,
    keys: readonly string[],
    extra: string | undefined,
    min: number,
    max: number,
  ): string {
    const w = this.#ws;
    const comma = this.#sep('","', w);
    const memo = new Map<string, string | null>();
    const rule = (i: number, c: number, e: boolean): string | null => {
      const key = `${i} ${c} ${e}`;
      if (memo.has(key)) return memo.get(key) as string | null;
      memo.set(key, null); // no recursion: i only grows
      let body: string | null;
      if (i === keys.length) {
        const lo = Math.max(0, min - c);
        const hi = max - c;
        if (extra === undefined) body = lo > 0 ? null : '""';
        else if (hi === 0) body = lo > 0 ? null : '""';
        else if (e) body = `( ${comma} ${extra} ){${lo},${hi === Infinity ? '' : hi}}`;
        else if (lo === 0) body = `( ${extra} ( ${comma} ${extra} ){0,${hi === Infinity ? '' : hi - 1}} )?`;
        else body = `${extra} ( ${comma} ${extra} ){${lo - 1},${hi === Infinity ? '' : hi - 1}}`;
      } else {
        const alternatives: string[] = [];
        if (c + 1 <= max) {
          const next = rule(i + 1, max === Infinity ? Math.min(c + 1, min) : c + 1, true);
          if (next !== null) alternatives.push(this.#sep(e ? comma : '', members[i], next));
        }
        if (!required.has(keys[i])) {
          const next = rule(i + 1, c, e);
          if (next !== null) alternatives.push(next);
        }
        body = alternatives.length === 0 ? null : alternatives.map((alt) => `( ${alt} )`).join(' | ');
      }
      if (body === null) return null;
      const ruleName = this.#fresh(`${name}-count-${i}-${c}${e ? '-more' : ''}`);
      this.rules.set(ruleName, body);
      memo.set(key, ruleName);
      return ruleName;
    };
    const start = rule(0, 0, false);
    if (start === null) {
      fail(`minProperties/maxProperties at ${name} cannot be met with these properties and additionalProperties`);
    }
    return this.#sep('"{"', w, start as string, '"}"');
  }

  #array(s: Record<string, unknown>, name: string): string {
    const w = this.#ws;
    const minItems = integerKeyword(s, 'minItems', name) ?? 0;
    const maxItems = integerKeyword(s, 'maxItems', name) ?? Infinity;
    const prefix = (s.prefixItems as JsonSchema[] | undefined) ?? [];
    if (!Array.isArray(prefix)) fail(`prefixItems must be an array at ${name}`);
    const itemSchema = (s.items as JsonSchema | undefined) ?? true;
    if (Array.isArray(itemSchema)) fail(`items must be a schema (use prefixItems for tuples) at ${name}`);
    if (maxItems < minItems) fail(`maxItems < minItems at ${name}`);
    const prefixRules = prefix.map((sub, i) => this.#named(sub, `${name}-${i}`));
    const itemRule = itemSchema === false ? undefined : this.#named(itemSchema, `${name}-item`);
    if (itemRule === undefined && minItems > prefixRules.length) {
      fail(`minItems ${minItems} cannot be met with ${prefixRules.length} prefixItems and "items": false at ${name}`);
    }
    // Elements: the prefix in order, then `item` repeated; minItems/maxItems over all of them.
    const elements: string[] = [];
    const total = Math.max(minItems, prefixRules.length);
    for (let i = 0; i < Math.min(total, maxItems); i++) elements.push(prefixRules[i] ?? (itemRule as string));
    // Optional tail beyond minItems.
    const more = Math.max(0, (maxItems === Infinity ? Infinity : maxItems) - elements.length);
    const required = elements.slice(0, Math.min(minItems, elements.length));
    const optionalPrefix = elements.slice(required.length);
    const comma = (rule: string, first: boolean) => (first ? this.#sep(rule, w) : this.#sep('","', w, rule, w));
    let body = required.map((rule, i) => comma(rule, i === 0)).join(' ');
    // Optional elements after the required ones, nested so each needs the previous one.
    let tail = '';
    if (itemRule !== undefined && more > 0) {
      const first = required.length === 0 && optionalPrefix.length === 0;
      const rep = more === Infinity ? '*' : `{0,${more}}`;
      tail = first
        ? `( ${comma(itemRule, true)} ( ${comma(itemRule, false)} )${more === Infinity ? '*' : `{0,${more - 1}}`} )?`
        : `( ${comma(itemRule, false)} )${rep}`;
    }
    for (let i = optionalPrefix.length - 1; i >= 0; i--) {
      const first = required.length === 0 && i === 0;
      tail = `( ${comma(optionalPrefix[i], first)} ${tail} )?`;
    }
    body = this.#sep(body, tail);
    return this.#sep('"["', w, body, '"]"');
  }

  #object(s: Record<string, unknown>, name: string): string {
    const w = this.#ws;
    const properties = (s.properties as Record<string, JsonSchema> | undefined) ?? {};
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      fail(`properties must be an object at ${name}`);
    }
    const required = new Set(stringList(s.required, 'required', name));
    for (const key of required)
      if (!(key in properties)) fail(`required property "${key}" has no schema in properties at ${name}`);
    const keys = Object.keys(properties);
    // additionalProperties: false when properties are listed and it is absent (predictable output).
    const additional = s.additionalProperties ?? keys.length === 0;
    const members = keys.map((key) => {
      const value = this.#named(properties[key], `${name}-${key}`);
      return this.#sep(gbnfLiteral(JSON.stringify(key)), w, '":"', w, value, w);
    });
    let extra: string | undefined;
    if (additional !== false) {
      const value = this.#named(additional as JsonSchema, `${name}-additional`);
      extra = this.#fresh(`${name}-kv`);
      this.rules.set(extra, this.#sep('json-string', w, '":"', w, value, w));
    }
    const comma = this.#sep('","', w);
    const minProperties = integerKeyword(s, 'minProperties', name) ?? 0;
    const maxProperties = integerKeyword(s, 'maxProperties', name) ?? Infinity;
    if (maxProperties < minProperties) fail(`maxProperties < minProperties at ${name}`);
    if (minProperties > 0 || maxProperties !== Infinity) {
      return this.#countedObject(name, members, required, keys, extra, minProperties, maxProperties);
    }
    // first[i]: members from i on, none emitted yet; after[i]: members from i on, some emitted.
    const after: string[] = new Array(keys.length + 1);
    const first: string[] = new Array(keys.length + 1);
    after[keys.length] = extra ? `( ${comma} ${extra} )*` : '';
    first[keys.length] = extra ? `( ${extra} ( ${comma} ${extra} )* )?` : '';
    for (let i = keys.length - 1; i >= 0; i--) {
      const afterRule = this.#fresh(`${name}-after-${i}`);
      const firstRule = this.#fresh(`${name}-first-${i}`);
      const take = this.#sep(comma, members[i], after[i + 1] === '' ? '' : after[i + 1]);
      const takeFirst = this.#sep(members[i], after[i + 1]);
      if (required.has(keys[i])) {
        this.rules.set(afterRule, take);
        this.rules.set(firstRule, takeFirst);
      } else {
        this.rules.set(afterRule, `( ${take} ) | ${after[i + 1] === '' ? '""' : `( ${after[i + 1]} )`}`);
        this.rules.set(firstRule, `( ${takeFirst} ) | ${first[i + 1] === '' ? '""' : `( ${first[i + 1]} )`}`);
      }
      after[i] = afterRule;
      first[i] = firstRule;
    }
    return this.#sep('"{"', w, first[0], '"}"');
  }
}

const formats: Record<string, string> = {
  date: '[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] )',
  time: '( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )',
  uuid: '[0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12}',
};
formats['date-time'] = `${formats.date} "T" ${formats.time}`;

function inferType(s: Record<string, unknown>): string | undefined {
  if (s.properties !== undefined || s.additionalProperties !== undefined || s.required !== undefined) return 'object';
  if (s.items !== undefined || s.prefixItems !== undefined || s.minItems !== undefined || s.maxItems !== undefined)
    return 'array';
  if (s.pattern !== undefined || s.format !== undefined || s.minLength !== undefined || s.maxLength !== undefined)
    return 'string';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((k) => s[k] !== undefined)) return 'number';
  return undefined;
}

function stringList(value: unknown, key: string, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail(`${key} must be an array of strings at ${name}`);
  }
  return value;
}

function integerKeyword(s: Record<string, unknown>, key: string, name: string): number | undefined {
  const value = s[key];
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0) fail(`${key} must be a non-negative integer at ${name}`);
  if ((value as number) > 1000) fail(`${key} above 1000 is not supported at ${name}`);
  return value as number;
}

function numberKeyword(s: Record<string, unknown>, key: string, name: string): number {
  const value = s[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${key} must be a finite number at ${name}`);
  return value as number;
}

// allOf: merges object schemas (properties, required) and keeps the other keywords of the last.
function mergeAll(base: Record<string, unknown>, list: JsonSchema[], name: string): JsonSchema {
  const merged: Record<string, unknown> = { ...base };
  for (const sub of list) {
    if (typeof sub !== 'object' || sub === null) fail(`allOf entries must be schema objects at ${name}`);
    const s = sub as Record<string, unknown>;
    if (s.$ref !== undefined || s.anyOf !== undefined || s.oneOf !== undefined || s.allOf !== undefined) {
      fail(`allOf entries with $ref/anyOf/oneOf/allOf are not supported at ${name}; inline them`);
    }
    for (const [key, value] of Object.entries(s)) {
      if (key === 'properties') {
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          fail(`properties must be an object in allOf at ${name}`);
        merged.properties = { ...(merged.properties as object), ...(value as object) };
      } else if (key === 'required') {
        merged.required = [...stringList(merged.required, 'required', name), ...stringList(value, 'required', name)];
      } else merged[key] = value;
    }
  }
  return merged;
}

/**
 * Compiles a JSON Schema to a GBNF grammar (llama.cpp's format) whose sentences are exactly the
 * JSON texts valid for the schema, under the whitespace policy of `options`. The supported subset
 * (see docs/constrained.md): `type` (one or a list), `enum`, `const`, objects (`properties`,
 * `required`, `additionalProperties` — false by default when `properties` is given; properties
 * appear in declaration order; `minProperties`/`maxProperties`), arrays (`items`, `prefixItems`, `minItems`, `maxItems`), strings
 * (`minLength`, `maxLength`, `pattern` (anchored, over unescaped characters), `format`: date, time,
 * date-time, uuid), integers with any bounds, numbers with integer `minimum`/`maximum`, `anyOf`/`oneOf` (both as
 * a union), `allOf` of object schemas, local `$ref` into `$defs`/`definitions` (recursion allowed),
 * `true`/`{}` for any JSON value. Anything else throws `ConstraintSyntaxError` naming the keyword.
 */
export function jsonSchemaToGbnf(schema: JsonSchema, options: JsonSchemaOptions = {}): string {
  const compiler = new Compiler(schema, options);
  const root = compiler.compile(schema, 'root');
  const lines = [`root ::= ${root}`];
  for (const [name, body] of compiler.rules) lines.push(`${name} ::= ${body === '' ? '""' : body}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A constraint that the whole output is JSON valid for `schema` (the subset `jsonSchemaToGbnf`
 * documents), compiled to a GBNF grammar and recognized by the grammar engine.
 *
 * @example
 * const constraint = jsonSchemaConstraint(
 *   { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
 *   tokenizerVocabulary(tokenizer),
 * );
 */
export function jsonSchemaConstraint(
  schema: JsonSchema,
  vocabulary: TokenVocabulary,
  options: JsonSchemaOptions = {},
): AutomatonConstraint {
  const build = () => parseGbnf(jsonSchemaToGbnf(schema, options));
  if (options.shareIndex === false) return grammarConstraint(build(), vocabulary, 'json-schema');
  const key = `json\u0000${options.whitespace ?? 'pretty'}\u0000${JSON.stringify(schema)}`;
  return sharedGrammarConstraint(key, build, vocabulary, 'json-schema');
}
