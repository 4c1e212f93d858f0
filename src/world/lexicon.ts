/**
 * Fixed word lists of the HH world's language. Entity names are invented from syllables per seed
 * (see `knowledge.ts`); everything else is drawn from these small lists so the vocabulary stays around 1–3k
 * word types and a small model can learn it.
 */

/** Syllables entity names are made of (two or three per name). */
export const NAME_SYLLABLES = [
  'ba', 'bel', 'cor', 'da', 'del', 'fen', 'ga', 'hal', 'ka', 'lin', 'lo', 'mar', 'mi', 'nor', 'pa', 'quen',
  'ra', 'ril', 'sa', 'tam', 'tor', 'va', 'vel', 'wen', 'ya', 'zo', 'an', 'el', 'is', 'or',
] as const;

/** Regions towns lie in. */
export const REGIONS = [
  'the north',
  'the south',
  'the east coast',
  'the west hills',
  'the river valley',
  'the high plains',
  'the lake country',
  'the green forest',
] as const;

/** Jobs people have. */
export const JOBS = [
  'baker', 'farmer', 'teacher', 'doctor', 'painter', 'carpenter', 'fisher', 'singer', 'nurse', 'builder',
  'gardener', 'tailor', 'cook', 'driver', 'librarian', 'potter', 'miller', 'weaver', 'poet', 'clerk',
] as const;

/** Colours foods have. */
export const COLORS = ['red', 'green', 'yellow', 'brown', 'white', 'orange', 'purple', 'golden'] as const;

/** What foods are made from. */
export const INGREDIENTS = [
  'rice', 'beans', 'plums', 'milk', 'wheat', 'honey', 'apples', 'corn', 'nuts', 'carrots', 'fish', 'cheese',
  'oats', 'pears', 'lentils', 'pumpkin',
] as const;

/** Kinds of food (the second word of a food name). */
export const FOOD_KINDS = ['cake', 'stew', 'bread', 'pie', 'soup', 'buns', 'rolls', 'tart'] as const;

/** What tools are used for (each tool has exactly one use, each use one tool). */
export const TOOL_USES = [
  'cutting wood', 'fixing boats', 'planting seeds', 'catching fish', 'carving stone', 'mending nets',
  'digging wells', 'shaping clay', 'sewing sails', 'cleaning chimneys', 'pressing apples', 'grinding grain',
  'trimming hedges', 'splitting logs', 'weaving baskets', 'sharpening knives', 'painting walls', 'measuring land',
  'tuning harps', 'binding books', 'stacking hay', 'brewing tea', 'cleaning lamps', 'gathering honey',
  'drying herbs', 'patching roofs', 'polishing silver', 'lifting stones', 'ringing bells', 'marking trails',
] as const;

/** Kinds of tool (the second word of a tool name). */
export const TOOL_KINDS = ['hook', 'blade', 'wheel', 'press', 'brush', 'rod', 'hammer', 'comb'] as const;

/** Words for word tasks (reverse, spell, count letters). */
export const TASK_WORDS = [
  'garden', 'lantern', 'river', 'basket', 'pencil', 'window', 'candle', 'bridge', 'market', 'pillow', 'forest',
  'kettle', 'ladder', 'mirror', 'rocket', 'saddle', 'tunnel', 'violin', 'wagon', 'anchor', 'button', 'carpet',
  'dragon', 'feather', 'guitar', 'hammer', 'island', 'jacket', 'kitten', 'lemon', 'magnet', 'needle', 'orange',
  'parrot', 'rabbit', 'silver', 'ticket', 'valley', 'walnut', 'yellow', 'blanket', 'cabin', 'desert', 'engine',
  'fabric', 'harbor', 'meadow', 'pepper', 'planet', 'sunset',
] as const;

/** Openers an answer may start with (style variety). */
export const ANSWER_OPENERS = ['', 'Sure! ', 'Good question. ', 'Happy to help. ', 'Of course. '] as const;

/** Closers an answer may end with (style variety; adds length). */
export const ANSWER_CLOSERS = [
  '',
  ' I hope that helps.',
  ' Let me know if you have another question.',
  ' I hope this is useful to you.',
] as const;

/** Context sentences a request may start with; they carry an entity so every request has a split. */
export const CONTEXT_OPENERS = ['I live in {town}. ', 'My name is {person}. ', 'I am visiting {town}. ', ''] as const;

/** Fix indefinite articles: "a elra press" → "an elra press". */
export function withArticles(text: string): string {
  return text.replace(/\b([Aa]) (?=[aeiouAEIOU])/g, '$1n ');
}
