/**
 * Runs this process's writes to a collection one after another.
 *
 * Why: FerretDB 1.x (the local and test database) applies findAndModify/update as
 * read → modify in memory → replace by _id, without isolation, so two writers to one
 * document can lose an update (seen: an outbox completion putting back the state it had
 * read over a reconnect written meanwhile). MongoDB applies each update atomically per
 * document, which is what concurrent replicas rely on; within one process this queue
 * gives the same guarantee on either server. Writes are short, so the cost is small.
 */
export class SerialWrites {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(write, write);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
