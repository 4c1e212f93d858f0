/**
 * Settings of the feedback web app (`hhrl feedback serve`), as a zod schema: the CLI's defaults and the app's
 * defaults are this one table.
 */
import { z } from 'zod';

/** The app's settings. */
export const FeedbackAppConfigSchema = z
  .object({
    maxBodyBytes: z.number().int().min(1024).default(16 * 1024).describe('largest accepted request body, in bytes'),
    maxMessageChars: z.number().int().min(1).default(4000).describe("longest annotator message, in characters"),
    maxTokens: z.number().int().min(1).default(128).describe('most new tokens per candidate reply'),
    temperature: z.number().min(0).default(1).describe('sampling temperature of candidate replies (> 0 so that one policy sampled twice gives two replies)'),
    seed: z.number().int().min(0).default(0).describe('seed of the policy pairing and of every reply (with the conversation id and turn)'),
    source: z.string().min(1).default('feedback').describe('`source` recorded on every stored comparison'),
    round: z.number().int().min(0).default(0).describe('online round recorded on every stored comparison'),
    reviewShare: z.number().min(0).max(1).default(0.1).describe('share of new conversations that are a review item (known-answer or overlap) when one is available'),
    repeatShare: z.number().min(0).max(1).default(0.3).describe('share of review draws that show an annotator an item they reviewed before, sides swapped (self-consistency), when one is due'),
    overlapShare: z.number().min(0).max(1).default(0.05).describe("share of picks offered to other annotators as overlap items (agreement)"),
    sessionHours: z.number().positive().default(12).describe('how long a sign-in lasts, in hours'),
    ratePerMinute: z.number().positive().default(120).describe('writes per minute one annotator may make (token bucket refill rate)'),
    rateBurst: z.number().int().min(1).default(30).describe('writes one annotator may make at once (token bucket size)'),
    secureCookies: z.boolean().default(false).describe('mark cookies Secure (set when the app is served over HTTPS)'),
  })
  .strict();

/** Resolved settings. */
export type FeedbackAppConfig = z.infer<typeof FeedbackAppConfigSchema>;

/** The defaults. */
export const FEEDBACK_APP_DEFAULTS: FeedbackAppConfig = FeedbackAppConfigSchema.parse({});
