/**
 * The toy demo the tests run (`runDemo` at toy sizes): a small world with a smaller knowledge base, as the demo's
 * own defaults choose, a tiny GPT, a few steps of each stage, a held-out reward probe at every PPO iteration and
 * on-policy pairs. Its rates mean nothing (π₀ writes garbled text); its files have every shape a full demo's have.
 */
export const TOY_DEMO = {
  seed: 3,
  worldSize: 'small',
  worldTowns: 12,
  worldPeople: 20,
  worldFoods: 10,
  worldSharedNames: 2,
  lmSize: 'tiny',
  vocabSize: 300,
  lmSteps: 6,
  sftSteps: 4,
  pmSteps: 6,
  ppoSteps: 2,
  ppoBatch: 8,
  ppoLearningRate: 3e-3, // moves the toy policy far enough from π₀ for a non-degenerate √KL fit
  evalPerSet: 2,
  probePrompts: 8,
  probeEvery: 1,
  onPolicyPairs: 12,
  threads: 1,
} as const;
