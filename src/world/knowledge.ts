/**
 * The knowledge base: fictional towns, people, foods and tools with their facts, generated from a seed and
 * split into train and test entities (WORLD.md item 2). Benign requests ask about these facts.
 */
import type { Random } from '../util/random.ts';
import type { Split } from './types.ts';
import {
  COLORS,
  FOOD_KINDS,
  INGREDIENTS,
  JOBS,
  NAME_SYLLABLES,
  REGIONS,
  TOOL_KINDS,
  TOOL_USES,
  withArticles,
} from './lexicon.ts';

/** A town. */
export interface Town {
  readonly name: string;
  readonly split: Split;
  readonly region: string;
  /** Name of the food the town is known for. */
  readonly food: string;
}

/** A person. Some people share a first name on purpose (ambiguous requests ask about them). */
export interface Person {
  readonly name: string;
  readonly split: Split;
  readonly job: string;
  /** Name of their home town. */
  readonly hometown: string;
}

/** A food. */
export interface Food {
  readonly name: string;
  readonly split: Split;
  readonly color: string;
  readonly ingredient: string;
}

/** A tool; every tool has its own use. */
export interface Tool {
  readonly name: string;
  readonly split: Split;
  readonly use: string;
}

/** The whole knowledge base. */
export interface KnowledgeBase {
  readonly towns: readonly Town[];
  readonly people: readonly Person[];
  readonly foods: readonly Food[];
  readonly tools: readonly Tool[];
  /** First names held by exactly two people (for ambiguous requests). */
  readonly sharedNames: readonly string[];
}

/** How many entities of each kind to make. */
export interface KnowledgeSizes {
  readonly towns: number;
  readonly people: number;
  readonly foods: number;
  /** Pairs of people who share a name. */
  readonly sharedNames: number;
  /** Share of entities held out for test. */
  readonly testShare: number;
}

/** Default sizes: small enough for a 1M-parameter model to learn, large enough for a held-out split. */
export const DEFAULT_KNOWLEDGE_SIZES: KnowledgeSizes = {
  towns: 40,
  people: 60,
  foods: 32,
  sharedNames: 6,
  testShare: 0.2,
};

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Invent `count` distinct two- or three-syllable names not in `taken` (which it extends). */
function inventNames(random: Random, count: number, taken: Set<string>): string[] {
  const names: string[] = [];
  let attempts = 0;
  while (names.length < count) {
    if (++attempts > count * 200) throw new RangeError(`could not invent ${count} distinct names`);
    const syllables = random.chance(0.75) ? 2 : 3;
    let name = '';
    for (let index = 0; index < syllables; index++) name += random.pick(NAME_SYLLABLES);
    if (name.length < 4 || name.length > 9 || taken.has(name)) continue;
    taken.add(name);
    names.push(capitalize(name));
  }
  return names;
}

/** Assign splits: the first `testShare` of a shuffled order are test. */
function splits(random: Random, count: number, testShare: number): Split[] {
  const order = random.shuffle(Array.from({ length: count }, (_, index) => index));
  const out = new Array<Split>(count).fill('train');
  const tests = Math.max(1, Math.round(count * testShare));
  for (let index = 0; index < tests; index++) out[order[index]] = 'test';
  return out;
}

/** Generate a knowledge base from `random` (pass a stream forked for this purpose). */
export function generateKnowledge(random: Random, sizes: KnowledgeSizes = DEFAULT_KNOWLEDGE_SIZES): KnowledgeBase {
  const taken = new Set<string>();
  const townNames = inventNames(random, sizes.towns, taken);
  const foodStems = inventNames(random, sizes.foods, taken);
  const toolStems = inventNames(random, TOOL_USES.length, taken);
  const personNames = inventNames(random, sizes.people - sizes.sharedNames, taken);

  const foodSplits = splits(random, sizes.foods, sizes.testShare);
  const foods: Food[] = foodStems.map((stem, index) => ({
    name: `${stem} ${FOOD_KINDS[index % FOOD_KINDS.length]}`,
    split: foodSplits[index],
    color: random.pick(COLORS),
    ingredient: random.pick(INGREDIENTS),
  }));
  const toolSplits = splits(random, TOOL_USES.length, sizes.testShare);
  const uses = random.shuffle(TOOL_USES);
  const tools: Tool[] = toolStems.map((stem, index) => ({
    name: `${stem.toLowerCase()} ${TOOL_KINDS[index % TOOL_KINDS.length]}`,
    split: toolSplits[index],
    use: uses[index],
  }));
  const townSplits = splits(random, sizes.towns, sizes.testShare);
  const towns: Town[] = townNames.map((name, index) => ({
    name,
    split: townSplits[index],
    region: random.pick(REGIONS),
    food: foods[index % foods.length].name,
  }));

  // Shared names: the first `sharedNames` invented names are each given to a second person with another job
  // and home town, so "Where does X live?" has two answers.
  const sharedNames = personNames.slice(0, sizes.sharedNames);
  const allNames = [...personNames, ...sharedNames];
  const personSplits = splits(random, allNames.length, sizes.testShare);
  const people: Person[] = allNames.map((name, index) => ({
    name,
    split: personSplits[index],
    job: JOBS[(index * 7 + random.int(3)) % JOBS.length],
    hometown: random.pick(towns).name,
  }));
  // The two holders of a shared name must differ in job and home town, or asking which one is pointless.
  const fixed = people.map((person, index) => {
    if (index < personNames.length || !sharedNames.includes(person.name)) return person;
    const first = people[personNames.indexOf(person.name)];
    const job = person.job === first.job ? JOBS[((JOBS as readonly string[]).indexOf(person.job) + 1) % JOBS.length] : person.job;
    const hometown =
      person.hometown === first.hometown
        ? towns[(towns.findIndex((town) => town.name === first.hometown) + 1) % towns.length].name
        : person.hometown;
    return { ...person, job, hometown };
  });
  return { towns, people: fixed, foods, tools, sharedNames };
}

/** Entities of one split (shared-name people are not in either: they are only asked about ambiguously). */
export function entitiesOf(knowledge: KnowledgeBase, split: Split) {
  const unique = (person: Person) => !knowledge.sharedNames.includes(person.name);
  return {
    towns: knowledge.towns.filter((town) => town.split === split),
    people: knowledge.people.filter((person) => person.split === split && unique(person)),
    foods: knowledge.foods.filter((food) => food.split === split),
    tools: knowledge.tools.filter((tool) => tool.split === split),
  };
}

/** Facts as encyclopedia sentences (for the base corpus, so a pretrained model can know them). */
export function knowledgeSentences(knowledge: KnowledgeBase): string[] {
  const sentences: string[] = [];
  for (const town of knowledge.towns) {
    sentences.push(`${town.name} is a town in ${town.region}. ${town.name} is known for ${town.food}.`);
  }
  for (const person of knowledge.people) {
    sentences.push(`${person.name} is a ${person.job} who lives in ${person.hometown}.`);
  }
  for (const food of knowledge.foods) {
    sentences.push(`${food.name} is a ${food.color} food made from ${food.ingredient}.`);
  }
  for (const tool of knowledge.tools) {
    sentences.push(withArticles(`A ${tool.name} is a tool used for ${tool.use}.`));
  }
  return sentences;
}
