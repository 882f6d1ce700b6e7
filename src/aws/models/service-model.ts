import type { MemberRef, ModelMetadata, OperationModel, Protocol, RawModel, Shape } from './shapes.js';

/** A loaded service model with lookups the codecs need, plus per-codec caches. */
export class ServiceModel {
  readonly metadata: ModelMetadata;
  readonly operations: Readonly<Record<string, OperationModel>>;
  private readonly shapes: Readonly<Record<string, Shape>>;
  private readonly caches = new Map<string, unknown>();

  constructor(
    readonly name: string,
    raw: RawModel,
  ) {
    this.metadata = raw.metadata;
    this.operations = raw.operations;
    this.shapes = raw.shapes;
  }

  get protocols(): Protocol[] {
    return this.metadata.protocols ?? [this.metadata.protocol];
  }

  get signingName(): string {
    return this.metadata.signingName ?? this.metadata.endpointPrefix;
  }

  get queryCompatible(): boolean {
    return this.metadata.awsQueryCompatible !== undefined;
  }

  operation(name: string): OperationModel | undefined {
    return Object.hasOwn(this.operations, name) ? this.operations[name] : undefined;
  }

  shape(name: string): Shape {
    const s = this.shapes[name];
    if (!s) throw new Error(`${this.name} model has no shape ${name}`);
    return s;
  }

  hasShape(name: string): boolean {
    return Object.hasOwn(this.shapes, name);
  }

  /** The target shape of a member reference. */
  resolve(ref: MemberRef): Shape {
    return this.shape(ref.shape);
  }

  inputShape(op: OperationModel): Shape | undefined {
    return op.input ? this.shape(op.input.shape) : undefined;
  }

  outputShape(op: OperationModel): Shape | undefined {
    return op.output ? this.shape(op.output.shape) : undefined;
  }

  /** Memoizes derived data (compiled routes, member tables) on the model. */
  cached<T>(key: string, build: () => T): T {
    let v = this.caches.get(key) as T | undefined;
    if (v === undefined) {
      v = build();
      this.caches.set(key, v);
    }
    return v;
  }
}
