import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { NotifiedStates, storedSubject } from './NotifiedStates';

describe('NotifiedStates', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function table() {
    const db = await databases.init('SQLITE_3');
    await db.migrate.latest({
      directory: resolvePackagePath(
        '@capa-portal/plugin-capa-backend',
        'migrations',
      ),
    });
    return db;
  }

  it('lets exactly one of two replicas claim the same change', async () => {
    const db = await table();
    const a = new NotifiedStates(db);
    const b = new NotifiedStates(db);
    await a.baseline([
      { subject: 'cluster:m/ns/c', state: 'ok', verdict: 'configured' },
    ]);
    // Both read the same previous state, then both try to move it.
    const previous = (await a.all()).get('cluster:m/ns/c')!;
    expect((await b.all()).get('cluster:m/ns/c')).toEqual(previous);
    const next = { state: 'broken', verdict: 'broken' };
    const claims = await Promise.all([
      a.claim('cluster:m/ns/c', previous, next),
      b.claim('cluster:m/ns/c', previous, next),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await a.all()).get('cluster:m/ns/c')).toEqual(next);
  });

  it('keeps a row another replica recorded first, and gives a claim back', async () => {
    const db = await table();
    const a = new NotifiedStates(db);
    await a.baseline([
      { subject: 'account:1', state: 'degraded', verdict: 'degraded' },
    ]);
    await a.baseline([
      { subject: 'account:1', state: 'ok', verdict: 'trusted' },
    ]);
    const previous = (await a.all()).get('account:1')!;
    expect(previous).toEqual({ state: 'degraded', verdict: 'degraded' });
    const next = { state: 'broken', verdict: 'broken' };
    expect(await a.claim('account:1', previous, next)).toBe(true);
    await a.release('account:1', next, previous);
    expect((await a.all()).get('account:1')).toEqual(previous);
    // Claimed again on the next pass.
    expect(await a.claim('account:1', previous, next)).toBe(true);
  });

  it('stores a subject longer than the column under a stable shortened key', async () => {
    const db = await table();
    const long = `cluster:${'m'.repeat(200)}/${'n'.repeat(63)}/${'c'.repeat(
      63,
    )}`;
    const key = storedSubject(long);
    expect(key.length).toBeLessThanOrEqual(255);
    expect(storedSubject(long)).toBe(key);
    expect(storedSubject(`${long}x`)).not.toBe(key);
    const states = new NotifiedStates(db);
    await states.baseline([{ subject: long, state: 'ok' }]);
    expect((await states.all()).get(key)).toEqual({
      state: 'ok',
      verdict: undefined,
    });
  });
});
