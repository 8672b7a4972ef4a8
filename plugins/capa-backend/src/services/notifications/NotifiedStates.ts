import { createHash } from 'node:crypto';
import { Knex } from 'knex';

const TABLE = 'capa_notified_states';
const MAX_SUBJECT = 255;

/** What was last notified (or first recorded) for one subject. */
export interface NotifiedState {
  state: string;
  verdict?: string;
}

/** A subject key that fits the column: long keys keep their start and end with a hash of the whole. */
export function storedSubject(subject: string): string {
  if (subject.length <= MAX_SUBJECT) return subject;
  const hash = createHash('sha256').update(subject).digest('hex').slice(0, 16);
  return `${subject.slice(0, MAX_SUBJECT - hash.length - 1)}#${hash}`;
}

/**
 * The table of notified states (migrations/20261205220000_notified_states.js), shared by every replica.
 *
 * A change is notified by whoever `claim`s it: the claim is an update conditioned on the state read before, so
 * of two replicas (or a replica and itself after a restart) that saw the same change, exactly one gets it.
 */
export class NotifiedStates {
  readonly #db: Knex;
  readonly #now: () => Date;

  constructor(db: Knex, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  async all(): Promise<Map<string, NotifiedState>> {
    const rows: Array<{
      subject: string;
      state: string;
      verdict: string | null;
    }> = await this.#db(TABLE).select('subject', 'state', 'verdict');
    return new Map(
      rows.map(r => [
        r.subject,
        { state: r.state, verdict: r.verdict ?? undefined },
      ]),
    );
  }

  /** Records subjects seen for the first time, without notifying; a row another replica wrote first stays. */
  async baseline(
    entries: Array<{ subject: string; state: string; verdict?: string }>,
  ): Promise<void> {
    const changed_at = this.#now().toISOString();
    for (let i = 0; i < entries.length; i += 200) {
      await this.#db(TABLE)
        .insert(
          entries.slice(i, i + 200).map(e => ({
            subject: storedSubject(e.subject),
            state: e.state,
            verdict: e.verdict ?? null,
            changed_at,
          })),
        )
        .onConflict('subject')
        .ignore();
    }
  }

  /** Moves a subject from `from` to `to`; true when this call made the move (it then notifies). */
  async claim(
    subject: string,
    from: NotifiedState,
    to: NotifiedState,
  ): Promise<boolean> {
    const updated = await this.#db(TABLE)
      .where({ subject: storedSubject(subject), state: from.state })
      .update({
        state: to.state,
        verdict: to.verdict ?? null,
        changed_at: this.#now().toISOString(),
      });
    return updated === 1;
  }

  /** Gives a claim back (its notification could not be sent), so the next pass tries again. */
  async release(
    subject: string,
    claimed: NotifiedState,
    previous: NotifiedState,
  ): Promise<void> {
    await this.#db(TABLE)
      .where({ subject: storedSubject(subject), state: claimed.state })
      .update({
        state: previous.state,
        verdict: previous.verdict ?? null,
      });
  }
}
