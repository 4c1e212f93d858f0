import { after, before } from 'node:test';
import pg from 'pg';
import { PgFeedbackStore } from '../../src/data/store/pg-feedback-store.ts';
import { startPgServer, type PgServer } from '../web/pg-server.ts';
import { runComparisonSourceContract } from './comparison-source-contract.ts';

// A real PostgreSQL server (Debian's binaries) on a free loopback port, as the feedback store's contract uses.
let server: PgServer;
before(async () => {
  server = await startPgServer();
});
after(() => server.stop());

let databases = 0;
runComparisonSourceContract('postgres', {
  newStore: async () => {
    const name = `source_${++databases}`;
    const admin = new pg.Client(`${server.baseUrl}postgres`);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const spec = `${server.baseUrl}${name}`;
    return { store: await PgFeedbackStore.open(spec, { now: () => new Date('2026-01-01T00:00:00Z') }), spec };
  },
});
