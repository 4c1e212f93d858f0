import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { runFeedbackStoreContract } from './feedback-store-contract.ts';

const paths = new WeakMap<object, string>();
runFeedbackStoreContract('sqlite', {
  newStore: async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hhrl-fb-store-')), 'store.sqlite');
    const store = SqliteFeedbackStore.open(path, { now: () => new Date('2026-01-01T00:00:00Z') });
    paths.set(store, path);
    return store;
  },
  hhLines: async (store) => {
    const reader = ComparisonStore.open(paths.get(store)!, { readonly: true });
    try {
      return [...reader.hhLines()];
    } finally {
      reader.close();
    }
  },
});
