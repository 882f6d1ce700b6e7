import type { Scope } from '../../core/scope.js';
import type { AwsEvent } from './events.js';

/**
 * Event-bus topic: every event CodeCommit sends to EventBridge, at the moment it is queued
 * (inside the state change that caused it), for in-process consumers such as CodePipeline's
 * V2 triggers.
 */
export const CODECOMMIT_EVENT = 'codecommit.event';

export interface CodecommitEventAnnounced {
  scope: Scope;
  event: AwsEvent;
}
