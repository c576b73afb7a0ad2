/**
 * Typing option values. Values arrive as text (from YAML read with the failsafe schema, from
 * `--set`, from a params file) and are typed here by the option's declared type.
 *
 * YAML 1.1 readers turn `no`/`on` into booleans, `0755` into octal 493 and `1e3` into a string, and
 * YAML 1.2 readers disagree with each of those. toolflow never guesses: a bool option takes only
 * `true`/`false`, a number with a leading zero is refused, and a string option keeps the exact text.
 */
import type { OptionSpec, OptionType, OptionValue } from './types.js';

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const LEADING_ZERO_RE = /^[-+]?0\d/;
const YAML11_BOOLEANS = new Set(['yes', 'no', 'on', 'off', 'y', 'n']);

/**
 * Types one value.
 * @param type the option type.
 * @param value text, or an already typed value (from JSON).
 * @returns the typed value, or `{ error }` with a message that says what to write instead.
 */
export function typeOptionValue(type: OptionType, value: OptionValue): { value: OptionValue } | { error: string } {
  const text = String(value);
  switch (type) {
    case 'string':
      return { value: text };
    case 'bool': {
      if (typeof value === 'boolean') return { value };
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
      if (YAML11_BOOLEANS.has(lower)) return { error: `"${text}" is a boolean only in YAML 1.1; write true or false` };
      return { error: `"${text}" is not a boolean; write true or false` };
    }
    case 'int':
    case 'float': {
      if (typeof value === 'number') return type === 'int' && !Number.isInteger(value) ? { error: `${value} is not a whole number` } : { value };
      if (!NUMBER_RE.test(text)) return { error: `"${text}" is not a number` };
      if (LEADING_ZERO_RE.test(text)) {
        return { error: `"${text}" has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero` };
      }
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: `"${text}" is out of range` };
      if (type === 'int' && !Number.isInteger(n)) return { error: `"${text}" is not a whole number` };
      if (type === 'int' && !Number.isSafeInteger(n)) return { error: `"${text}" is too large (at most ${Number.MAX_SAFE_INTEGER})` };
      return { value: n };
    }
  }
}

/**
 * Types and checks a value against an option's type, enum, min and max.
 * @returns the typed value or `{ error }` naming the rule broken.
 */
export function checkOptionValue(option: OptionSpec, value: OptionValue): { value: OptionValue } | { error: string } {
  const typed = typeOptionValue(option.type, value);
  if ('error' in typed) return typed;
  const v = typed.value;
  if (option.enum && !option.enum.some((e) => e === v)) {
    return { error: `${JSON.stringify(v)} is not one of ${option.enum.map((e) => JSON.stringify(e)).join(', ')}` };
  }
  if (typeof v === 'number') {
    if (option.min !== undefined && v < option.min) return { error: `${v} is less than the minimum ${option.min}` };
    if (option.max !== undefined && v > option.max) return { error: `${v} is more than the maximum ${option.max}` };
  }
  return { value: v };
}
