import { flatten, type Row, type Value } from './values.js';

const BUILT_IN = ['@timestamp', '@message', '@logStream', '@log'];

/** An event as a query row: the built-in fields, plus JSON fields discovered on first use. */
export class LogRow implements Row {
  private fields: Map<string, Value> | undefined;

  constructor(
    readonly ts: number,
    readonly ingest: number,
    readonly message: string,
    readonly stream: string,
    readonly group: string,
    readonly ptr: string,
  ) {}

  get(name: string): Value {
    switch (name) {
      case '@timestamp': return new Date(this.ts);
      case '@message': return this.message;
      case '@logStream': return this.stream;
      case '@log': return this.group;
      case '@ingestionTime': return new Date(this.ingest);
      case '@ptr': return this.ptr;
    }
    return this.discovered().get(name);
  }

  set(name: string, v: Value): void {
    this.discovered().set(name, v);
  }

  keys(): string[] {
    return [...BUILT_IN, ...this.discovered().keys()];
  }

  private discovered(): Map<string, Value> {
    if (this.fields) return this.fields;
    this.fields = new Map();
    const t = this.message.trimStart();
    if (t.startsWith('{')) {
      try {
        flatten(JSON.parse(this.message), this.fields);
      } catch {
        // not JSON after all: only the built-in fields
      }
    }
    return this.fields;
  }
}
