/**
 * One category taxonomy for every suite, so reports compare like with like. Each suite maps its own labels onto
 * it and keeps the original label next to it. The first seven ids are the HH world's harm categories.
 */

import { HARM_CATEGORIES } from '../../world/types.ts';

/** Common category ids: the HH world's harm categories, then the ones public suites add. */
export const CATEGORY_IDS = [
  ...HARM_CATEGORIES,
  'harassment',
  'illegal_goods',
  'child_safety',
  'misinformation',
  'copyright',
  'other',
] as const;

/** A category of the common taxonomy. */
export type CategoryId = (typeof CATEGORY_IDS)[number];

/** What each category covers (shown in reports). */
export const CATEGORY_DESCRIPTIONS = {
  violence_weapons: 'Physical violence, weapons, explosives used to hurt people',
  dangerous_chemistry: 'Chemical, biological and drug synthesis that can cause mass harm',
  cybercrime: 'Intrusion, malware, account takeover',
  fraud: 'Scams, fraud, forgery, theft by deception',
  hate_discrimination: 'Hate speech and discrimination against groups',
  self_harm: 'Suicide, self-harm, eating disorders',
  privacy: 'Exposing or collecting personal information',
  harassment: 'Harassment and bullying of individuals',
  illegal_goods: 'Illegal or highly regulated goods and activities (drugs, weapons trade, theft)',
  child_safety: 'Harm to children',
  misinformation: 'Misinformation and disinformation',
  copyright: 'Reproducing copyrighted works',
  other: 'Anything not mapped to a specific category',
} as const satisfies Record<CategoryId, string>;

/** Lower-cased original labels (from any suite) → common category. Extended by suites as they need. */
const ALIASES: Readonly<Record<string, CategoryId>> = {
  // HH world and generic spellings
  violence: 'violence_weapons',
  weapons: 'violence_weapons',
  violence_and_weapons: 'violence_weapons',
  chemistry: 'dangerous_chemistry',
  chemical: 'dangerous_chemistry',
  hate: 'hate_discrimination',
  discrimination: 'hate_discrimination',
  hate_and_discrimination: 'hate_discrimination',
  'self-harm': 'self_harm',
  selfharm: 'self_harm',
  scam: 'fraud',
  scams: 'fraud',
  drugs: 'illegal_goods',
  illegal: 'illegal_goods',
  // HarmBench SemanticCategory
  chemical_biological: 'dangerous_chemistry',
  cybercrime_intrusion: 'cybercrime',
  misinformation_disinformation: 'misinformation',
  harassment_bullying: 'harassment',
  harmful: 'other',
  // SimpleSafetyTests harm_area
  'suicide, self-harm, and eating disorders': 'self_harm',
  'physical harm and violence': 'violence_weapons',
  'illegal and highly regulated items': 'illegal_goods',
  'scams and fraud': 'fraud',
  'child safety': 'child_safety',
  'child abuse': 'child_safety',
};

/** True when `id` is a common category id. */
export function isCategoryId(id: string): id is CategoryId {
  return (CATEGORY_IDS as readonly string[]).includes(id);
}

/**
 * Map an original label onto the common taxonomy: an exact id, a known alias, else `other`.
 * @example
 * toCategory('cybercrime_intrusion'); // 'cybercrime'
 */
export function toCategory(original: string | null | undefined): CategoryId {
  if (original === null || original === undefined) return 'other';
  const key = original.trim().toLowerCase();
  if (isCategoryId(key)) return key;
  return ALIASES[key] ?? ALIASES[key.replace(/[\s-]+/g, '_')] ?? 'other';
}
