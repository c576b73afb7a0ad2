/**
 * Typing option values. Values arrive as text (from YAML read with the failsafe schema, from
 * `--set`, from a params file) and are typed here by the option's declared type.
 *
 * YAML 1.1 readers turn `no`/`on` into booleans, `0755` into octal 493 and `1e3` into a string, and
 * YAML 1.2 readers disagree with each of those. toolflow never guesses: a bool takes only the YAML 1.2
 * core schema's spellings (`true`, `True`, `TRUE`, `false`, `False`, `FALSE`; yaml.org/spec/1.2.2,
 * 10.3.2), a number with a leading zero is refused, and a string option keeps the exact text.
 *
 * Values reach a tool as environment variables (`TF_OPT_<name>`, see
 * shared/executor/local/command-script.ts), so a value must also fit one: no NUL (a C string ends
 * there) and at most MAX_ARG_STRLEN bytes with its name.
 */
import type { OptionSpec, OptionType, OptionValue } from './types.js';

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const LEADING_ZERO_RE = /^[-+]?0\d/;
const YAML11_BOOLEANS = new Set(['yes', 'no', 'on', 'off', 'y', 'n']);
/** The YAML 1.2 core schema's booleans (https://yaml.org/spec/1.2.2/#1032-tag-resolution). */
const CORE_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

/**
 * Linux's limit on one environment string (`NAME=value` and its terminating NUL), bytes: 32 pages of
 * 4 KiB (MAX_ARG_STRLEN in include/uapi/linux/binfmts.h; execve(2), "Limits on size of arguments and
 * environment"). A longer one makes every exec of the tool fail with E2BIG, "Argument list too long".
 */
export const MAX_ARG_STRLEN = 32 * 4096;

/** A value for a message: JSON, cut to 60 characters (a value can be megabytes long). */
function quoted(v: OptionValue): string {
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 56)}..."` : text;
}

/**
 * Reads a boolean by the YAML 1.2 core schema: `true`/`True`/`TRUE`, `false`/`False`/`FALSE`.
 * @returns the boolean, or undefined for any other text (`tRuE`, `yes`, `1`).
 */
export function coreBoolean(text: string): boolean | undefined {
  return CORE_BOOLEANS.get(text);
}

/**
 * Checks that `NAME=value` can be an environment variable of a tool.
 * @param name the variable's name, such as `TF_OPT_mode`.
 * @param what how to name the value in the message (`the value`, `env A`).
 * @returns a message for a value with a NUL or longer than MAX_ARG_STRLEN, else undefined.
 */
export function envStringProblem(name: string, value: string, what = 'the value'): string | undefined {
  if (value.includes('\0')) return `${what} contains a NUL character, which an environment variable cannot hold (it would be cut there); remove it`;
  const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
  if (bytes > MAX_ARG_STRLEN) {
    return (
      `${what} is ${Buffer.byteLength(value)} bytes: a tool gets it as the environment variable ${name}, and Linux refuses a variable of more than ` +
      `${MAX_ARG_STRLEN} bytes, name included (MAX_ARG_STRLEN), so every command would fail with "Argument list too long"; ` +
      'put the value in a file and pass it as an input instead (declare it under inputs, give it with --input NAME=PATH, read it at $TF_INPUT_NAME)'
    );
  }
  return undefined;
}

/**
 * Types one value.
 * @param type the option type.
 * @param value text, or an already typed value (from JSON).
 * @returns the typed value, or `{ error }` with a message that says what to write instead (a NUL
 *   character is refused for every type).
 */
export function typeOptionValue(type: OptionType, value: OptionValue): { value: OptionValue } | { error: string } {
  const text = String(value);
  if (text.includes('\0')) return { error: 'the value contains a NUL character, which an environment variable cannot hold (it would be cut there); remove it' };
  switch (type) {
    case 'string':
      return { value: text };
    case 'bool': {
      if (typeof value === 'boolean') return { value };
      const b = coreBoolean(text);
      if (b !== undefined) return { value: b };
      if (YAML11_BOOLEANS.has(text.toLowerCase())) return { error: `${quoted(text)} is a boolean only in YAML 1.1; write true or false` };
      return { error: `${quoted(text)} is not a boolean; write true or false (True, TRUE, False and FALSE are accepted too)` };
    }
    case 'int':
    case 'float': {
      if (typeof value === 'number') return type === 'int' && !Number.isInteger(value) ? { error: `${value} is not a whole number` } : { value };
      if (!NUMBER_RE.test(text)) return { error: `${quoted(text)} is not a number` };
      if (LEADING_ZERO_RE.test(text)) {
        return { error: `${quoted(text)} has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero` };
      }
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: `${quoted(text)} is out of range` };
      if (type === 'int' && !Number.isInteger(n)) return { error: `${quoted(text)} is not a whole number` };
      if (type === 'int' && !Number.isSafeInteger(n)) return { error: `${quoted(text)} is too large (at most ${Number.MAX_SAFE_INTEGER})` };
      return { value: n };
    }
  }
}

/**
 * Types and checks a value against an option's type, enum, min and max, and against what an
 * environment variable can hold (`TF_OPT_<name>=value` within MAX_ARG_STRLEN, no NUL).
 * @returns the typed value or `{ error }` naming the rule broken.
 */
export function checkOptionValue(option: OptionSpec, value: OptionValue): { value: OptionValue } | { error: string } {
  const typed = typeOptionValue(option.type, value);
  if ('error' in typed) return typed;
  const v = typed.value;
  const tooLong = envStringProblem(`TF_OPT_${option.name}`, String(v));
  if (tooLong) return { error: tooLong };
  if (option.enum && !option.enum.some((e) => e === v)) {
    return { error: `${quoted(v)} is not one of ${option.enum.map((e) => JSON.stringify(e)).join(', ')}` };
  }
  if (typeof v === 'number') {
    if (option.min !== undefined && v < option.min) return { error: `${v} is less than the minimum ${option.min}` };
    if (option.max !== undefined && v > option.max) return { error: `${v} is more than the maximum ${option.max}` };
  }
  return { value: v };
}
