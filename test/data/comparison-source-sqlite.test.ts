import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { runComparisonSourceContract } from './comparison-source-contract.ts';

runComparisonSourceContract('sqlite', {
  newStore: async () => {
    const spec = join(mkdtempSync(join(tmpdir(), 'hhrl-source-')), 'store.sqlite');
    return { store: SqliteFeedbackStore.open(spec, { now: () => new Date('2026-01-01T00:00:00Z') }), spec };
  },
});
