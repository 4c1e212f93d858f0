/**
 * Compiling `{slot}` forms into anchored regular expressions that read slot values back out of a text. Request
 * templates (`templates.ts`) and response forms (`well-formed.ts`) both compile through here, so "a {slot}"
 * reads "an {slot}" before a vowel in both, as `withArticles` writes it.
 */

/** Escape a literal for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An escaped literal that ends in "a " before a slot accepts "an " too (see `withArticles`). */
export function literalBeforeSlot(literal: string): string {
  return escapeRegex(literal).replace(/(^|\s)([Aa]) $/, '$1$2n? ');
}

/** An alternation of exact values, longest first so a value that prefixes another cannot cut it short. */
export function alternation(values: readonly string[]): string {
  return [...values].sort((a, b) => b.length - a.length).map(escapeRegex).join('|');
}

/** A form compiled to a whole-text matcher. */
export interface CompiledForm {
  readonly form: string;
  readonly regex: RegExp;
  /** Slot name of each capture group, in order. */
  readonly names: readonly string[];
}

/**
 * Compile `form` into a regex matching the whole of a text, each `{slot}` a capture group of `patternOf(slot)`
 * (a regex source without capture groups).
 * @example
 * matchForm(compileForm('{a} plus {b} is {value}.', () => '\\d+'), '2 plus 3 is 5.') // { a: '2', b: '3', value: '5' }
 */
export function compileForm(form: string, patternOf: (slot: string) => string): CompiledForm {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const match of form.matchAll(/\{(\w+)\}/g)) {
    source += `${literalBeforeSlot(form.slice(last, match.index))}(${patternOf(match[1])})`;
    names.push(match[1]);
    last = match.index + match[0].length;
  }
  source += escapeRegex(form.slice(last));
  return { form, regex: new RegExp(`^${source}$`), names };
}

/** The slot values of `text` read by a compiled form, or undefined when the text is not of that form. */
export function matchForm(compiled: CompiledForm, text: string): Record<string, string> | undefined {
  const match = compiled.regex.exec(text);
  if (match === null) return undefined;
  const slots: Record<string, string> = {};
  compiled.names.forEach((name, index) => {
    slots[name] = match[index + 1];
  });
  return slots;
}
