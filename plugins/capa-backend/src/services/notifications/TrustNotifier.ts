import { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  FleetReport,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import {
  CapaResourceIndex,
  ResourceOwnership,
} from '../../permissions/resources';
import { NotificationSettings } from './config';
import { sourceChangePayload, trustChangePayload } from './messages';
import { NotifiedState, NotifiedStates, storedSubject } from './NotifiedStates';
import { sourceSubjects, trustSubjects } from './subjects';

/** What the notifier reads: the trust service's current report and the health of every source. */
export interface TrustNotifierSource {
  report(): Promise<FleetReport>;
  managementClusters(): Promise<ManagementClusterStatus[]>;
}

/** One pass's outcome (for logs and tests). */
export interface NotifyPass {
  recorded: number;
  sent: number;
  failed: number;
  frozen: string[];
}

interface Change {
  subject: string;
  owner?: string;
  previous: NotifiedState;
  next: NotifiedState;
  payload: (previous: NotifiedState) => NotificationPayload;
}

/**
 * Alerts on trust regressions (issue #16): after a new report, compares each account's and workload cluster's
 * state (ok, degraded, broken) with what was last notified, and tells the owner group of each one that changed,
 * once per change, through Backstage's notifications backend.
 *
 * - First sight records the state without notifying (a new portal does not announce the whole fleet).
 * - A stale management cluster (its last read failed) freezes everything it is involved in: capa serves its
 *   last good data, so nothing can be learned about those accounts and clusters until it is read again; its
 *   owner is told once that it went stale and once that it recovered, and the changes found then are notified.
 * - Claims are conditional updates of a shared table, so two replicas or a restart never notify a change twice;
 *   a notification that could not be sent gives its claim back and is tried on the next pass.
 */
export class TrustNotifier {
  readonly #source: TrustNotifierSource;
  readonly #states: NotifiedStates;
  readonly #notifications: NotificationService;
  readonly #settings: NotificationSettings;
  readonly #ownership: ResourceOwnership;
  readonly #logger: LoggerService;
  /** The last known tier of each cluster's account (see SubjectOptions.knownTiers). */
  readonly #knownTiers = new Map<string, string>();
  #running?: Promise<NotifyPass | undefined>;
  #again = false;
  #failing = false;

  constructor(options: {
    source: TrustNotifierSource;
    states: NotifiedStates;
    notifications: NotificationService;
    settings: NotificationSettings;
    ownership: ResourceOwnership;
    logger: LoggerService;
  }) {
    this.#source = options.source;
    this.#states = options.states;
    this.#notifications = options.notifications;
    this.#settings = options.settings;
    this.#ownership = options.ownership;
    this.#logger = options.logger;
  }

  /**
   * Runs one pass now, or, when one is running, one more after it (a burst of stores makes at most two passes).
   * Never throws.
   */
  notify(): Promise<NotifyPass | undefined> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = async (): Promise<NotifyPass | undefined> => {
      let result: NotifyPass | undefined;
      do {
        this.#again = false;
        try {
          result = await this.#pass();
        } catch (e) {
          this.#logger.warn(`capa: trust notifications pass failed: ${e}`);
        }
      } while (this.#again);
      return result;
    };
    this.#running = run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<NotifyPass | undefined> {
    const sources = await this.#source.managementClusters();
    // Until every management cluster was tried once, a report is partial: what it says is not a change.
    if (sources.some(s => !s.lastAttempt)) return undefined;
    const report = await this.#source.report();
    const index = CapaResourceIndex.of(report, this.#ownership);
    const stale = new Set(sources.filter(s => s.stale).map(s => s.name));
    const stored = await this.#states.all();
    const changes: Change[] = [];
    const firstSeen: Array<{
      subject: string;
      state: string;
      verdict?: string;
    }> = [];
    const consider = (
      subject: string,
      next: NotifiedState,
      change: Omit<Change, 'subject' | 'previous' | 'next'>,
    ) => {
      const previous = stored.get(storedSubject(subject));
      if (!previous) firstSeen.push({ subject, ...next });
      else if (previous.state !== next.state)
        changes.push({ subject, previous, next, ...change });
    };
    for (const s of trustSubjects(report, index, {
      stale,
      tiers: this.#settings.tiers,
      knownTiers: this.#knownTiers,
    })) {
      consider(
        s.subject,
        { state: s.state, verdict: s.verdict },
        {
          owner: s.owner,
          payload: previous => trustChangePayload(s, previous),
        },
      );
    }
    if (this.#settings.staleSources) {
      for (const s of sourceSubjects(sources, index)) {
        consider(
          s.subject,
          { state: s.state },
          { owner: s.owner, payload: () => sourceChangePayload(s) },
        );
      }
    }
    await this.#states.baseline(firstSeen);
    const pass: NotifyPass = {
      recorded: firstSeen.length,
      sent: 0,
      failed: 0,
      frozen: [...stale],
    };
    for (const change of changes) {
      if (
        !(await this.#states.claim(
          change.subject,
          change.previous,
          change.next,
        ))
      )
        continue; // another replica notifies it
      if (await this.#send(change)) pass.sent++;
      else pass.failed++;
    }
    if (pass.sent || pass.failed)
      this.#logger.info(
        `capa: trust notifications: ${pass.sent} sent, ${pass.failed} failed${
          stale.size ? `; frozen while stale: ${[...stale].join(', ')}` : ''
        }`,
      );
    return pass;
  }

  async #send(change: Change): Promise<boolean> {
    // Without an owner nobody can be told; the change is recorded all the same.
    if (!change.owner) return true;
    try {
      await this.#notifications.send({
        recipients: { type: 'entity', entityRef: [change.owner] },
        payload: change.payload(change.previous),
      });
      if (this.#failing) {
        this.#failing = false;
        this.#logger.info('capa: trust notifications are delivered again');
      }
      return true;
    } catch (e) {
      await this.#states.release(change.subject, change.next, change.previous);
      // One warning per outage, not one per change.
      if (!this.#failing)
        this.#logger.warn(
          `capa: could not send a trust notification (tried again on the next pass): ${e}`,
        );
      this.#failing = true;
      return false;
    }
  }
}
