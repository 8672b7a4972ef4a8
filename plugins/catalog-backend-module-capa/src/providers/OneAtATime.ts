/**
 * Runs tasks one after another, in the order asked: what the providers of one module share around building and
 * applying their entities. The providers refresh together (an announcement refreshes all of them, and after a
 * start they all apply their first full mutation at once); built and applied side by side, the backend held every
 * provider's entities and every catalog transaction at the same time on top of the report (a higher peak RSS
 * at 10,000 clusters), for no gain: the catalog processes them one batch at a time anyway.
 */
export class OneAtATime {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
