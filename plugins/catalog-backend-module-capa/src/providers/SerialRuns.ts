/**
 * Runs one task at a time: a run asked for while one is going starts once it ends (however many were asked for
 * meanwhile, one), and every caller waits for a run that started after its call.
 */
export class SerialRuns {
  #running?: Promise<void>;
  #next?: Promise<void>;

  run(fn: () => Promise<unknown>): Promise<void> {
    if (!this.#running) {
      this.#running = fn()
        .then(() => undefined)
        .finally(() => (this.#running = undefined));
      return this.#running;
    }
    if (!this.#next) {
      this.#next = this.#running
        .catch(() => undefined)
        .then(() => {
          this.#next = undefined;
          return this.run(fn);
        });
    }
    return this.#next;
  }
}
