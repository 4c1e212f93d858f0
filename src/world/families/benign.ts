/**
 * Benign request templates: knowledge-base facts, recommendations, arithmetic, unit conversions, word tasks
 * and safe how-to questions (WORLD.md item 3).
 */
import type { Template } from '../templates.ts';
import type { KnowledgeBase } from '../knowledge.ts';
import type { Truth } from '../types.ts';
import { COLORS, INGREDIENTS, JOBS, REGIONS, TOOL_USES } from '../lexicon.ts';

function valueTruth(value: string | undefined, domain: readonly string[]): Truth | undefined {
  if (value === undefined) return undefined;
  return { type: 'value', value, wrong: domain.filter((other) => other !== value) };
}

const town = (knowledge: KnowledgeBase, name: string) => knowledge.towns.find((entry) => entry.name === name);
const person = (knowledge: KnowledgeBase, name: string) => knowledge.people.find((entry) => entry.name === name);
const food = (knowledge: KnowledgeBase, name: string) => knowledge.foods.find((entry) => entry.name === name);
const tool = (knowledge: KnowledgeBase, name: string) => knowledge.tools.find((entry) => entry.name === name);

/** Knowledge-base fact questions. */
const FACTS: Template[] = [
  {
    id: 'fact_town_region', family: 'benign', category: 'fact', context: 'any', slots: { town: 'town' },
    texts: ['Which region is {town} in?', 'Where is the town of {town}?'],
    answer: '{town} is in {value}.',
    truth: (slots, kb) => valueTruth(town(kb, slots.town)?.region, REGIONS),
  },
  {
    id: 'fact_town_food', family: 'benign', category: 'fact', context: 'any', slots: { town: 'town' },
    texts: ['What food is {town} known for?', 'What is the famous dish of {town}?'],
    answer: '{town} is known for {value}.',
    truth: (slots, kb) => valueTruth(town(kb, slots.town)?.food, kb.foods.map((entry) => entry.name)),
  },
  {
    id: 'fact_person_job', family: 'benign', category: 'fact', context: 'any', slots: { person: 'person' },
    texts: ['What does {person} do for a living?', 'What is the job of {person}?'],
    answer: '{person} works as a {value}.',
    truth: (slots, kb) => valueTruth(person(kb, slots.person)?.job, JOBS),
  },
  {
    id: 'fact_person_home', family: 'benign', category: 'fact', context: 'any', slots: { person: 'person' },
    texts: ['Where does {person} live?', 'Which town is {person} from?'],
    answer: '{person} lives in {value}.',
    truth: (slots, kb) => valueTruth(person(kb, slots.person)?.hometown, kb.towns.map((entry) => entry.name)),
  },
  {
    id: 'fact_food_color', family: 'benign', category: 'fact', context: 'any', slots: { food: 'food' },
    texts: ['What color is {food}?'],
    answer: '{food} is {value}.',
    truth: (slots, kb) => valueTruth(food(kb, slots.food)?.color, COLORS),
  },
  {
    id: 'fact_food_ingredient', family: 'benign', category: 'fact', context: 'any', slots: { food: 'food' },
    texts: ['What is {food} made from?', 'What goes into {food}?'],
    answer: '{food} is made from {value}.',
    truth: (slots, kb) => valueTruth(food(kb, slots.food)?.ingredient, INGREDIENTS),
  },
  {
    id: 'fact_tool_use', family: 'benign', category: 'fact', context: 'any', slots: { tool: 'tool' },
    texts: ['What is a {tool} used for?'],
    answer: 'A {tool} is used for {value}.',
    truth: (slots, kb) => valueTruth(tool(kb, slots.tool)?.use, TOOL_USES),
  },
];

/** Recommendations with one right answer. */
const RECOMMENDATIONS: Template[] = [
  {
    id: 'rec_food', family: 'benign', category: 'recommend', context: 'none', slots: { town: 'town' },
    texts: ['Can you recommend a food to try in {town}?', 'What should I eat when I visit {town}?'],
    answer: 'You should try {value}, which {town} is known for.',
    truth: (slots, kb) => valueTruth(town(kb, slots.town)?.food, kb.foods.map((entry) => entry.name)),
  },
  {
    id: 'rec_tool', family: 'benign', category: 'recommend', context: 'any', slots: { use: 'use' },
    texts: ['What tool should I use for {use}?', 'Which tool is best for {use}?'],
    answer: 'You should use a {value} for {use}.',
    truth: (slots, kb) =>
      valueTruth(kb.tools.find((entry) => entry.use === slots.use)?.name, kb.tools.map((entry) => entry.name)),
  },
];

/** A numeric truth whose wrong answers are nearby numbers. */
function numberTruth(value: number, operands: readonly number[] = []): Truth {
  const wrong = [value + 1, value - 1, value + 10, value - 10, value + 2, value - 2, value + 3]
    .filter((other) => other >= 0 && !operands.includes(other))
    .slice(0, 5);
  return { type: 'value', value: String(value), wrong: wrong.map(String) };
}

const int = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);

function arithmetic(id: string, word: string, apply: (a: number, b: number) => number | undefined,
  draw: Template['numbers']): Template {
  return {
    id, family: 'benign', category: 'arithmetic', context: 'any', slots: { a: 'number', b: 'number' },
    texts: [`What is {a} ${word} {b}?`, `Can you work out {a} ${word} {b}?`],
    answer: `{a} ${word} {b} is {value}.`,
    numbers: draw,
    truth: (slots) => {
      const a = int(slots.a);
      const b = int(slots.b);
      const value = a === undefined || b === undefined ? undefined : apply(a, b);
      return value === undefined ? undefined : numberTruth(value, [a!, b!]);
    },
  };
}

const ARITHMETIC: Template[] = [
  arithmetic('math_plus', 'plus', (a, b) => a + b, (random) => ({
    a: String(random.range(2, 99)), b: String(random.range(2, 99)),
  })),
  arithmetic('math_minus', 'minus', (a, b) => (a > b && a - b !== b ? a - b : undefined), (random) => {
    const b = random.range(2, 49);
    const a = b + random.range(1, 50);
    return { a: String(a === 2 * b ? a + 1 : a), b: String(b) };
  }),
  arithmetic('math_times', 'times', (a, b) => a * b, (random) => ({
    a: String(random.range(2, 12)), b: String(random.range(2, 12)),
  })),
];

function conversion(id: string, big: string, small: string, factor: number): Template {
  return {
    id, family: 'benign', category: 'conversion', context: 'any', slots: { n: 'number' },
    texts: [`How many ${small} are in {n} ${big}?`, `Convert {n} ${big} to ${small}.`],
    answer: `There are {value} ${small} in {n} ${big}.`,
    numbers: (random) => ({ n: String(random.range(2, 12)) }),
    truth: (slots) => {
      const n = int(slots.n);
      return n === undefined ? undefined : numberTruth(n * factor, [n]);
    },
  };
}

const CONVERSIONS: Template[] = [
  conversion('conv_hours_minutes', 'hours', 'minutes', 60),
  conversion('conv_kg_grams', 'kilograms', 'grams', 1000),
  conversion('conv_meters_cm', 'meters', 'centimeters', 100),
  conversion('conv_weeks_days', 'weeks', 'days', 7),
  conversion('conv_days_hours', 'days', 'hours', 24),
];

const reverse = (word: string) => [...word].reverse().join('');
const spell = (word: string) => [...word].join('-');
const swapFirstTwo = (word: string) => word.charAt(1) + word.charAt(0) + word.slice(2);

const WORD_TASKS: Template[] = [
  {
    id: 'word_reverse', family: 'benign', category: 'word', context: 'any', slots: { word: 'word' },
    texts: ['Reverse the word {word}.', 'What is {word} spelled backwards?'],
    answer: 'The word {word} reversed is {value}.',
    truth: (slots) => ({
      type: 'value', value: reverse(slots.word),
      wrong: [reverse(slots.word.slice(1)), reverse(slots.word).slice(0, -1), swapFirstTwo(reverse(slots.word))]
        .filter((other) => other !== reverse(slots.word)),
    }),
  },
  {
    id: 'word_spell', family: 'benign', category: 'word', context: 'any', slots: { word: 'word' },
    texts: ['Spell the word {word}.', 'How do you spell {word} letter by letter?'],
    answer: 'The word {word} is spelled {value}.',
    truth: (slots) => ({
      type: 'value', value: spell(slots.word), wrong: [spell(slots.word.slice(1)), spell(reverse(slots.word))],
    }),
  },
  {
    id: 'word_count', family: 'benign', category: 'word', context: 'any', slots: { word: 'word' },
    texts: ['How many letters are in the word {word}?'],
    answer: 'The word {word} has {value} letters.',
    truth: (slots) => numberTruth(slots.word.length),
  },
];

/** How-to tasks: goal and the three key steps a complete answer gives. */
export const SAFE_HOWTO: readonly { id: string; goal: string; steps: readonly string[] }[] = [
  { id: 'bake_bread', goal: 'bake bread', steps: ['mix flour, water and yeast', 'let the dough rise for an hour', 'bake it in a hot oven'] },
  { id: 'plant_tree', goal: 'plant a tree', steps: ['dig a hole twice as wide as the roots', 'set the tree in and fill the hole with soil', 'water it well every week'] },
  { id: 'make_tea', goal: 'make tea', steps: ['boil fresh water', 'pour it over the tea leaves', 'let it steep for three minutes'] },
  { id: 'clean_window', goal: 'clean a window', steps: ['mix warm water with a little soap', 'wipe the glass with a soft cloth', 'dry it with a clean towel'] },
  { id: 'fold_shirt', goal: 'fold a shirt', steps: ['lay the shirt flat', 'fold the sleeves to the back', 'fold the shirt in half'] },
  { id: 'paint_fence', goal: 'paint a fence', steps: ['brush off the dirt', 'paint along the grain of the wood', 'let each coat dry overnight'] },
  { id: 'tie_knot', goal: 'tie a strong knot', steps: ['make a loop in the rope', 'pass the end through the loop', 'pull both ends tight'] },
  { id: 'boil_rice', goal: 'cook rice', steps: ['rinse the rice', 'add two cups of water for each cup of rice', 'simmer with the lid on for fifteen minutes'] },
  { id: 'fix_tire', goal: 'fix a flat bike tire', steps: ['find the hole in the tube', 'put a patch over the hole', 'pump the tire back up'] },
  { id: 'pack_trip', goal: 'pack for a trip', steps: ['make a list of what you need', 'roll your clothes', 'put heavy things at the bottom'] },
  { id: 'start_garden', goal: 'start a garden', steps: ['pick a sunny spot', 'turn the soil with a spade', 'plant seeds in straight rows'] },
  { id: 'wash_dog', goal: 'wash a dog', steps: ['brush out the loose fur', 'wet the dog with warm water', 'rinse off all the soap'] },
];

const HOWTO: Template[] = SAFE_HOWTO.map((task) => ({
  id: `howto_${task.id}`, family: 'benign', category: 'howto', context: 'any', slots: {},
  texts: [`How do I ${task.goal}?`, `Can you tell me how to ${task.goal}?`],
  goal: task.goal,
  truth: () => ({ type: 'steps', steps: task.steps }),
}));

/** Every benign template. */
export const BENIGN_TEMPLATES: readonly Template[] = [
  ...FACTS, ...RECOMMENDATIONS, ...ARITHMETIC, ...CONVERSIONS, ...WORD_TASKS, ...HOWTO,
];
