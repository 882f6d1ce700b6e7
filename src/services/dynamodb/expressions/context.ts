import type { AttributeValue } from '../../../aws/models/generated/dynamodb.js';
import { checkValue } from '../attributes.js';
import { validation } from '../numbers.js';

/**
 * The ExpressionAttributeNames and ExpressionAttributeValues of one request, shared by
 * all its expressions so that unused or missing placeholders are reported as AWS does.
 */
export class ExpressionContext {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();
  private readonly values: Record<string, AttributeValue>;
  /** How many expressions of the request were parsed with these placeholders. */
  expressions = 0;

  constructor(
    private readonly names: Record<string, string> | undefined,
    values: Record<string, AttributeValue> | undefined,
  ) {
    if (names && Object.keys(names).length === 0) throw validation('ExpressionAttributeNames must not be empty');
    if (values && Object.keys(values).length === 0) throw validation('ExpressionAttributeValues must not be empty');
    this.values = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (!/^:[A-Za-z0-9_]+$/.test(k)) throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
      this.values[k] = checkValue(v);
    }
    for (const k of Object.keys(names ?? {})) {
      if (!/^#[A-Za-z0-9_]+$/.test(k)) throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
    }
  }

  static none(): ExpressionContext {
    return new ExpressionContext(undefined, undefined);
  }

  name(ref: string): string | undefined {
    const n = this.names?.[ref];
    if (n !== undefined) this.usedNames.add(ref);
    return n;
  }

  value(ref: string): AttributeValue | undefined {
    const v = this.values[ref];
    if (v !== undefined) this.usedValues.add(ref);
    return v;
  }

  /** After every expression of the request is parsed: placeholders nobody used are an error. */
  checkAllUsed(): void {
    if (this.expressions === 0 && (this.names || Object.keys(this.values).length)) {
      const which = this.names ? 'ExpressionAttributeNames' : 'ExpressionAttributeValues';
      throw validation(`${which} can only be specified when using expressions`);
    }
    const unusedNames = Object.keys(this.names ?? {}).filter((k) => !this.usedNames.has(k));
    if (unusedNames.length) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    const unusedValues = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
    if (unusedValues.length) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
}
