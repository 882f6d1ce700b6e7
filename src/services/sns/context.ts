import type { Clock } from '../../core/clock.js';
import type { Database } from '../../state/database.js';
import type { Delivery } from './delivery.js';
import type { SnsStore } from './store.js';

/** What SNS's operation handlers share. */
export interface Sns {
  db: Database;
  store: SnsStore;
  clock: Clock;
  delivery: Delivery;
}
