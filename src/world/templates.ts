/**
 * Request templates: one description serves both directions. A template fills its slots from the knowledge
 * base to make a request (with its ground truth), and compiles to a regular expression that finds the same
 * request inside any text (a wrapped attack, a free-form conversation) and recovers its slots.
 */
import type { Random } from '../util/random.ts';
import { hashString32 } from '../util/random.ts';
import type { Family, HarmCategory, Split, Truth } from './types.ts';
import type { KnowledgeBase } from './knowledge.ts';
import { entitiesOf } from './knowledge.ts';
import { HAZARDS } from './hazards.ts';
import { TASK_WORDS, withArticles } from './lexicon.ts';
import { alternation, escapeRegex, literalBeforeSlot } from './form-matcher.ts';

/** What a slot holds. `number` slots are drawn by the template's own `numbers` function. */
export type SlotKind = 'town' | 'person' | 'food' | 'tool' | 'use' | 'word' | 'shared' | 'number' | 'target';

/** A request template. */
export interface Template {
  readonly id: string;
  readonly family: Family;
  /** Harm category (harmful) or sub-kind (others). */
  readonly category: string;
  /** Phrasings with `{slot}` placeholders; generation picks one, parsing tries all. */
  readonly texts: readonly string[];
  readonly slots: Readonly<Record<string, SlotKind>>;
  /**
   * Context sentence before the request ("I live in X."): `any` kind, only `person` ("My name is X."), or
   * `none`. Templates without entity slots always get one, so that every request has a train/test split.
   */
  readonly context: 'any' | 'person' | 'none';
  /** Draws the values of `number` slots. */
  readonly numbers?: (random: Random) => Record<string, string>;
  /** Ground truth for slot values; undefined when the values are not valid (e.g. a parsed unknown number). */
  truth(slots: Readonly<Record<string, string>>, knowledge: KnowledgeBase): Truth | undefined;
  /** Answer sentence for `value` truths, with `{value}` and slot placeholders. */
  readonly answer?: string;
  /** What the how-to achieves, for `steps` truths ("bake bread"). */
  readonly goal?: string;
}

/** Every value a slot kind can take (both splits), for parsing. */
export function slotDomain(kind: SlotKind, knowledge: KnowledgeBase, category: string): readonly string[] {
  switch (kind) {
    case 'town':
      return knowledge.towns.map((town) => town.name);
    case 'person':
      return knowledge.people.filter((person) => !knowledge.sharedNames.includes(person.name)).map((p) => p.name);
    case 'food':
      return knowledge.foods.map((food) => food.name);
    case 'tool':
      return knowledge.tools.map((tool) => tool.name);
    case 'use':
      return knowledge.tools.map((tool) => tool.use);
    case 'word':
      return TASK_WORDS;
    case 'shared':
      return knowledge.sharedNames;
    case 'target':
      return HAZARDS[category as HarmCategory].targets;
    case 'number':
      return [];
  }
}

/** Split of a task word: every fifth word is held out. */
export function wordSplit(word: string): Split {
  return TASK_WORDS.indexOf(word as (typeof TASK_WORDS)[number]) % 5 === 4 ? 'test' : 'train';
}

/** Split of entity-free slot values (numbers): a hash holds out about a fifth. */
export function hashSplit(key: string): Split {
  return hashString32(key) % 5 === 0 ? 'test' : 'train';
}

/** Split of a shared name: every third one is held out. */
export function sharedNameSplit(knowledge: KnowledgeBase, name: string): Split {
  return knowledge.sharedNames.indexOf(name) % 3 === 2 ? 'test' : 'train';
}

const domainCache = new WeakMap<KnowledgeBase, Map<string, readonly string[]>>();

/** Values of a slot kind available to one split (cached per knowledge base). */
function splitDomain(kind: SlotKind, knowledge: KnowledgeBase, split: Split, category: string): readonly string[] {
  let cache = domainCache.get(knowledge);
  if (cache === undefined) domainCache.set(knowledge, (cache = new Map()));
  const key = `${kind}|${split}|${category}`;
  let domain = cache.get(key);
  if (domain === undefined) cache.set(key, (domain = computeSplitDomain(kind, knowledge, split, category)));
  return domain;
}

function computeSplitDomain(kind: SlotKind, knowledge: KnowledgeBase, split: Split, category: string): readonly string[] {
  const entities = entitiesOf(knowledge, split);
  switch (kind) {
    case 'town':
      return entities.towns.map((town) => town.name);
    case 'person':
      return entities.people.map((person) => person.name);
    case 'food':
      return entities.foods.map((food) => food.name);
    case 'tool':
      return entities.tools.map((tool) => tool.name);
    case 'use':
      return entities.tools.map((tool) => tool.use);
    case 'word':
      return TASK_WORDS.filter((word) => wordSplit(word) === split);
    case 'shared':
      return knowledge.sharedNames.filter((name) => sharedNameSplit(knowledge, name) === split);
    default:
      return slotDomain(kind, knowledge, category);
  }
}

/** Slot names in the order they appear in a phrasing. */
export function slotNames(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}

/** Fill `{slot}` placeholders (and fix the articles before them). */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return withArticles(text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole));
}

/** Draw slot values for `split`; undefined when the split has no value for some slot. */
export function drawSlots(
  template: Template,
  random: Random,
  knowledge: KnowledgeBase,
  split: Split,
): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  if (template.numbers) {
    // Numbers have no entity: redraw until the values' hash falls in the wanted split.
    for (let attempt = 0; ; attempt++) {
      const numbers = template.numbers(random);
      if (hashSplit(`${template.id}|${Object.values(numbers).join('|')}`) === split) {
        Object.assign(values, numbers);
        break;
      }
      if (attempt > 200) return undefined;
    }
  }
  for (const [name, kind] of Object.entries(template.slots)) {
    if (kind === 'number') continue;
    const domain = splitDomain(kind, knowledge, split, template.category);
    if (domain.length === 0) return undefined;
    values[name] = random.pick(domain);
  }
  return values;
}

/** The split a set of slot values belongs to (test if any entity is a test entity). */
export function splitOfSlots(template: Template, slots: Readonly<Record<string, string>>, knowledge: KnowledgeBase): Split {
  if (template.numbers) return hashSplit(`${template.id}|${Object.entries(template.slots)
    .filter(([, kind]) => kind === 'number')
    .map(([name]) => slots[name])
    .join('|')}`);
  for (const [name, kind] of Object.entries(template.slots)) {
    if (kind === 'number' || kind === 'target') continue;
    const value = slots[name];
    if (kind === 'word' && wordSplit(value) === 'test') return 'test';
    if (kind === 'shared' && sharedNameSplit(knowledge, value) === 'test') return 'test';
    if (kind !== 'word' && kind !== 'shared' && !splitDomain(kind, knowledge, 'train', template.category).includes(value)) {
      return 'test';
    }
  }
  return 'train';
}

/** A compiled phrasing: its regex and the slot name of each capture group. */
export interface CompiledPhrasing {
  readonly template: Template;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Lower-cased captured value → canonical spelling, per slot. */
  readonly canonical: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Compile every phrasing of `template` against the knowledge base's domains. */
export function compileTemplate(template: Template, knowledge: KnowledgeBase): CompiledPhrasing[] {
  const canonical = new Map<string, Map<string, string>>();
  for (const [name, kind] of Object.entries(template.slots)) {
    const domain = slotDomain(kind, knowledge, template.category);
    canonical.set(name, new Map(domain.map((value) => [value.toLowerCase(), value])));
  }
  return template.texts.map((text) => {
    const names = slotNames(text);
    let source = '';
    let last = 0;
    for (const match of text.matchAll(/\{(\w+)\}/g)) {
      // "a {tool}" reads "an {tool}" before a vowel, so accept both.
      source += literalBeforeSlot(text.slice(last, match.index));
      const kind = template.slots[match[1]];
      source += kind === 'number' ? '(\\d+)' : `(${alternation([...canonical.get(match[1])!.values()])})`;
      last = match.index + match[0].length;
    }
    source += escapeRegex(text.slice(last));
    // Whitespace is flexible and the final punctuation optional, so wrapped or retyped requests still match.
    source = source.replace(/ /g, '\\s+').replace(/(\\\?|\\\.|\.)$/, '');
    return { template, regex: new RegExp(`(?<![\\w])${source}`, 'i'), names, canonical };
  });
}
