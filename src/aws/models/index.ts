import { readFileSync } from 'node:fs';
import { ServiceModel } from './service-model.js';
import type { RawModel, ServiceIndexEntry } from './shapes.js';

export type { ServiceModel } from './service-model.js';
export * from './shapes.js';

const here = new URL('./', import.meta.url);

interface Manifest {
  botocore: string;
  services: Record<string, ServiceIndexEntry>;
}

let manifest: Manifest | undefined;
const loaded = new Map<string, ServiceModel>();

function readManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(new URL('manifest.json', here), 'utf8')) as Manifest;
  return manifest;
}

/** Services with a model, and what detection needs to know about each without loading it. */
export function serviceIndex(): Readonly<Record<string, ServiceIndexEntry>> {
  return readManifest().services;
}

export function botocoreVersion(): string {
  return readManifest().botocore;
}

export function hasModel(service: string): boolean {
  return Object.hasOwn(readManifest().services, service);
}

/** Loads a service model on first use; models are large, so nothing loads them eagerly. */
export function loadModel(service: string): ServiceModel {
  let model = loaded.get(service);
  if (!model) {
    if (!hasModel(service)) throw new Error(`no model for service ${service}`);
    const raw = JSON.parse(readFileSync(new URL(`data/${service}.json`, here), 'utf8')) as RawModel;
    model = new ServiceModel(service, raw);
    loaded.set(service, model);
  }
  return model;
}
