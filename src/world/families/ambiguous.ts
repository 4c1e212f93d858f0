/**
 * Ambiguous requests: something needed is missing or could mean two things, so the best response asks a
 * clarifying question (WORLD.md item 3). Truth names the missing slot and, where known, the options.
 */
import type { Template } from '../templates.ts';

/** Which thing the clarifying question asks about, per template (the noun used in the question). */
export const CLARIFY_NOUNS: Readonly<Record<string, string>> = {
  person: 'person',
  word: 'word',
  number: 'number',
  thing: 'thing',
  town: 'town',
  job: 'job',
};

function vague(id: string, texts: readonly string[], slot: string): Template {
  return {
    id: `amb_${id}`,
    family: 'ambiguous',
    category: id,
    texts,
    slots: {},
    context: 'person',
    truth: () => ({ type: 'clarify', slot, options: [] }),
  };
}

/** Every ambiguous template. */
export const AMBIGUOUS_TEMPLATES: readonly Template[] = [
  {
    id: 'amb_person',
    family: 'ambiguous',
    category: 'person',
    texts: ['Where does {shared} live?', 'What does {shared} do for a living?'],
    slots: { shared: 'shared' },
    context: 'none',
    truth: (slots, knowledge) => {
      const holders = knowledge.people.filter((person) => person.name === slots.shared);
      if (holders.length < 2) return undefined;
      return { type: 'clarify', slot: 'person', options: holders.map((person) => `the ${person.job}`) };
    },
  },
  vague('word', ['Can you reverse this word for me?', 'How many letters does that word have?'], 'word'),
  vague('number', ['How many minutes is that?', 'Can you convert that number for me?'], 'number'),
  vague('thing', ['How do I fix it?', 'It broke again, how do I repair it?'], 'thing'),
  vague('town', ['What food should I try there?', 'Which region is that town in?'], 'town'),
  vague('job', ['Which tool should I buy for the job?', 'What is the best tool for that?'], 'job'),
];
