/**
 * Per-event work does not grow with the number of connected customers: customer sockets are
 * reached through one subscription and a map by conversation (src/customer-routes.ts), so the
 * store's listeners stay as many with 60 customers as with one, and each customer still gets
 * exactly its own conversation's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/index.js';
import { AgentPeer, CustomerPeer, settle, start } from './helpers.js';

test('customer sockets add no store listeners; each hears only its own conversation', async () => {
  let listeners = 0;
  const server = await start({
    limits: { commandBurst: 1000, commandsPerSecond: 1000, conversationsPerAddress: 100 },
    createStore: (init) => {
      const store = new MemoryStore(init);
      const subscribe = store.subscribe.bind(store);
      store.subscribe = (l) => {
        listeners++;
        const off = subscribe(l);
        return () => {
          listeners--;
          off();
        };
      };
      return store;
    },
  });
  try {
    const agent = await AgentPeer.connect(server);
    const first = await CustomerPeer.join(server);
    const base = listeners;
    const customers = [first, ...(await Promise.all(Array.from({ length: 59 }, (_, i) => CustomerPeer.join(server, 'billing', `C${i}`))))];
    assert.equal(listeners, base, 'no listener per customer socket');
    await Promise.all(customers.map((c, i) => c.say(`hello from ${i}`)));
    await settle(server, [agent]);
    customers.forEach((c, i) => {
      const texts = c.messages.filter((m) => m.role === 'customer').map((m) => m.text);
      assert.deepEqual(texts, [`hello from ${i}`], `customer ${i} sees its own message only`);
    });
    for (const c of customers) c.close();
    agent.close();
  } finally {
    await server.close();
  }
});
