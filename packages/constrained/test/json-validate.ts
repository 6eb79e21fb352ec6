import type { JsonSchema } from '../src/index.js';

/**
 * A small JSON Schema validator for the subset the compiler supports (test oracle, written
 * independently of the compiler). Returns the list of violations (empty when valid).
 */
export function validate(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: false schema`];
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    let target: unknown = root;
    for (const key of s.$ref.slice(1).split('/').filter(Boolean)) target = (target as Record<string, unknown>)[key];
    return validate(value, target as JsonSchema, root, path);
  }
  const errors: string[] = [];
  if ('const' in s && JSON.stringify(value) !== JSON.stringify(s.const)) errors.push(`${path}: const`);
  if (Array.isArray(s.enum) && !s.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
    errors.push(`${path}: enum`);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) {
      const rest = { ...s };
      delete rest[key];
      const ok = (s[key] as JsonSchema[]).some((sub) => validate(value, sub, root, path).length === 0);
      if (!ok) errors.push(`${path}: ${key}`);
      errors.push(...validate(value, rest, root, path));
      return errors;
    }
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as JsonSchema[]) errors.push(...validate(value, sub, root, path));
  const types = s.type === undefined ? undefined : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const typeOf = (v: unknown): string[] => {
    if (v === null) return ['null'];
    if (Array.isArray(v)) return ['array'];
    if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
    return [typeof v];
  };
  if (types && !typeOf(value).some((t) => types.includes(t))) return [...errors, `${path}: type ${typeOf(value)}`];
  if (typeof value === 'string') {
    const length = Array.from(value).length;
    if (typeof s.minLength === 'number' && length < s.minLength) errors.push(`${path}: minLength`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) errors.push(`${path}: maxLength`);
    if (typeof s.pattern === 'string' && !new RegExp(`^(?:${s.pattern})$`, 'u').test(value))
      errors.push(`${path}: pattern`);
    if (s.format === 'date' && !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(value))
      errors.push(`${path}: date`);
    if (s.format === 'uuid' && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(value))
      errors.push(`${path}: uuid`);
    if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${path}: date-time`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${path}: minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${path}: maximum`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) errors.push(`${path}: exclusiveMinimum`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) errors.push(`${path}: exclusiveMaximum`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errors.push(`${path}: minItems`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errors.push(`${path}: maxItems`);
    const prefix = (s.prefixItems as JsonSchema[] | undefined) ?? [];
    value.forEach((item, i) => {
      const sub = i < prefix.length ? prefix[i] : ((s.items as JsonSchema | undefined) ?? true);
      errors.push(...validate(item, sub, root, `${path}[${i}]`));
    });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const count = Object.keys(value).length;
    if (typeof s.minProperties === 'number' && count < s.minProperties) errors.push(`${path}: minProperties`);
    if (typeof s.maxProperties === 'number' && count > s.maxProperties) errors.push(`${path}: maxProperties`);
    const properties = (s.properties as Record<string, JsonSchema> | undefined) ?? {};
    for (const key of (s.required as string[] | undefined) ?? [])
      if (!(key in value)) errors.push(`${path}: missing ${key}`);
    const additional = (s.additionalProperties as JsonSchema | undefined) ?? Object.keys(properties).length === 0;
    for (const [key, item] of Object.entries(value)) {
      const sub = key in properties ? properties[key] : additional;
      errors.push(...validate(item, sub, root, `${path}.${key}`));
    }
  }
  return errors;
}

/** Whether some object in a JSON text repeats a key (JSON.parse keeps only the last one). */
export function hasDuplicateKeys(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(i, j + 1)) as string;
      let k = j + 1;
      while (/\s/.test(text[k] ?? '')) k++;
      const keys = stack[stack.length - 1];
      if (text[k] === ':' && keys) {
        if (keys.has(value)) return true;
        keys.add(value);
      }
      i = j;
    }
  }
  return false;
}
