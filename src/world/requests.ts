/**
 * Making requests from templates, and finding them again in text. `RequestIndex.parse` is how the oracle
 * recognizes a request inside a free-form conversation, a wrapped attack or an encoded one.
 */
import type { Random } from '../util/random.ts';
import type { Family, Split, WorldRequest } from './types.ts';
import type { KnowledgeBase } from './knowledge.ts';
import { entitiesOf } from './knowledge.ts';
import type { CompiledPhrasing, Template } from './templates.ts';
import { compileTemplate, drawSlots, fill, splitOfSlots } from './templates.ts';
import { BENIGN_TEMPLATES } from './families/benign.ts';
import { HARMFUL_TEMPLATES } from './families/harmful.ts';
import { BORDERLINE_TEMPLATES } from './families/borderline.ts';
import { AMBIGUOUS_TEMPLATES } from './families/ambiguous.ts';

/** All templates, in parsing priority: harmful first (a wrapped harmful request must never read as benign). */
export const TEMPLATES: readonly Template[] = [
  ...HARMFUL_TEMPLATES,
  ...AMBIGUOUS_TEMPLATES,
  ...BORDERLINE_TEMPLATES,
  ...BENIGN_TEMPLATES,
];

/** Templates by family. */
export const TEMPLATES_BY_FAMILY: Readonly<Record<Family, readonly Template[]>> = {
  benign: BENIGN_TEMPLATES,
  harmful: HARMFUL_TEMPLATES,
  borderline: BORDERLINE_TEMPLATES,
  ambiguous: AMBIGUOUS_TEMPLATES,
};

/** Template by id. */
export const TEMPLATE_BY_ID: ReadonlyMap<string, Template> = new Map(TEMPLATES.map((template) => [template.id, template]));

function requestId(template: Template, slots: Readonly<Record<string, string>>): string {
  const values = Object.keys(template.slots).map((name) => slots[name]);
  return [template.id, ...values].join('|');
}

/** Build the request for known slot values; undefined when the values give no truth. */
export function makeRequest(
  template: Template,
  slots: Readonly<Record<string, string>>,
  knowledge: KnowledgeBase,
  text: string,
  split: Split,
): WorldRequest | undefined {
  const truth = template.truth(slots, knowledge);
  if (truth === undefined) return undefined;
  return {
    id: requestId(template, slots),
    family: template.family,
    category: template.category,
    templateId: template.id,
    slots: { ...slots },
    split,
    text,
    truth,
  };
}

/** The context sentence for a request, or '' (drawn from the request's split). */
function drawContext(template: Template, random: Random, knowledge: KnowledgeBase, split: Split): string {
  if (template.context === 'none') return '';
  const entities = entitiesOf(knowledge, split);
  const needed = Object.keys(template.slots).length === 0;
  if (!needed && random.chance(0.7)) return '';
  if (template.context === 'person' || random.chance(0.4)) return `My name is ${random.pick(entities.people).name}. `;
  return random.chance(0.5)
    ? `I live in ${random.pick(entities.towns).name}. `
    : `I am visiting ${random.pick(entities.towns).name}. `;
}

/**
 * Draw one request of `template` for `split`; undefined when the split cannot fill it (e.g. no test entity
 * of a needed kind).
 */
export function generateRequest(
  template: Template,
  random: Random,
  knowledge: KnowledgeBase,
  split: Split,
): WorldRequest | undefined {
  const slots = drawSlots(template, random, knowledge, split);
  if (slots === undefined) return undefined;
  const text = drawContext(template, random, knowledge, split) + fill(random.pick(template.texts), slots);
  return makeRequest(template, slots, knowledge, text, split);
}

/** Finds world requests in text by their templates' compiled patterns. */
export class RequestIndex {
  private readonly phrasings: readonly CompiledPhrasing[];

  constructor(private readonly knowledge: KnowledgeBase) {
    this.phrasings = TEMPLATES.flatMap((template) => compileTemplate(template, knowledge));
  }

  /**
   * The first template (in priority order) whose phrasing occurs in `text`, as a request whose `text` is
   * the matched span; undefined when none matches.
   */
  parse(text: string): WorldRequest | undefined {
    for (const phrasing of this.phrasings) {
      const match = phrasing.regex.exec(text);
      if (match === null) continue;
      const slots: Record<string, string> = {};
      phrasing.names.forEach((name, index) => {
        const captured = match[index + 1];
        slots[name] = phrasing.canonical.get(name)?.get(captured.toLowerCase()) ?? captured;
      });
      const template = phrasing.template;
      const request = makeRequest(template, slots, this.knowledge, match[0], splitOfSlots(template, slots, this.knowledge));
      if (request !== undefined) return request;
    }
    return undefined;
  }
}
