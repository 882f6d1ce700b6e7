import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../../src/aws/models/generated/dynamodb.js';
import type { Item } from '../../../src/services/dynamodb/attributes.js';
import { applyUpdate } from '../../../src/services/dynamodb/expressions/apply-update.js';
import { ExpressionContext } from '../../../src/services/dynamodb/expressions/context.js';
import { checkCondition, evaluate, project } from '../../../src/services/dynamodb/expressions/evaluate.js';
import { parseCondition, parseProjection } from '../../../src/services/dynamodb/expressions/parser.js';
import { parseUpdate } from '../../../src/services/dynamodb/expressions/update-parser.js';

// The ProductCatalog item of the DynamoDB Developer Guide's expression examples.
const product: Item = {
  Id: { N: '123' },
  Title: { S: 'Bicycle 123' },
  Price: { N: '500' },
  Color: { SS: ['Red', 'Black'] },
  ProductCategory: { S: 'Bicycle' },
  InStock: { BOOL: true },
  QuantityOnHand: { NULL: true },
  RelatedItems: { L: [{ N: '341' }, { N: '472' }, { N: '649' }] },
  Pictures: { M: { FrontView: { S: 'http://example.com/products/123_front.jpg' }, SideView: { S: 'http://example.com/products/123_left_side.jpg' } } },
  ProductReviews: { M: { FiveStar: { L: [{ S: 'Excellent! Can not recommend it highly enough! Buy it!' }] }, OneStar: { L: [{ S: 'Terrible product!' }] } } },
  Comment: { S: 'This product sells out quickly during the summer' },
};

const values: Record<string, AttributeValue> = {
  ':p': { N: '500' }, ':lo': { N: '100' }, ':hi': { N: '1000' }, ':cat': { S: 'Bicycle' }, ':c': { S: 'Red' }, ':t': { S: 'SS' },
  ':pre': { S: 'http://' }, ':n': { N: '2' }, ':one': { N: '1' }, ':v': { S: 'Terrible product!' }, ':r': { N: '472' },
};

function cond(text: string, names?: Record<string, string>, vals = values) {
  return parseCondition('ConditionExpression', text, new ExpressionContext(names, vals));
}

describe('condition expressions', () => {
  it.each([
    ['Price = :p', true], ['Price <> :p', false], ['Price < :hi', true], ['Price <= :p', true], ['Price > :p', false], ['Price >= :lo', true],
    ['Price BETWEEN :lo AND :hi', true], ['ProductCategory IN (:cat, :c)', true], ['Price IN (:lo, :hi)', false],
    ['attribute_exists(Pictures.SideView)', true], ['attribute_not_exists(Manufacturer)', true], ['attribute_exists(RelatedItems[1])', true],
    ['attribute_exists(RelatedItems[5])', false], ['attribute_type(Color, :t)', true], ['begins_with(Pictures.FrontView, :pre)', true],
    ['contains(Color, :c)', true], ['contains(ProductReviews.OneStar, :v)', true], ['contains(RelatedItems, :r)', true], ['size(RelatedItems) > :n', true],
    ['size(Title) = :p', false], ['NOT attribute_exists(Id)', false], ['Price = :p AND (ProductCategory = :c OR InStock = InStock)', true],
    ['Price = :lo OR Price = :p AND ProductCategory = :c', false], ['#pr = :p', true], ['Manufacturer <> :p', true], ['Manufacturer < :p', false],
    ['Title < :cat', false], ['RelatedItems[0] < RelatedItems[1]', true],
  ])('%s is %s on the Developer Guide item', (text, expected) => {
    const c = parseCondition('ConditionExpression', text, new ExpressionContext(text.includes('#pr') ? { '#pr': 'Price' } : undefined, values));
    expect(evaluate(c, product)).toBe(expected);
  });

  it('treats a missing item like an item without attributes', () => {
    expect(evaluate(cond('attribute_not_exists(LockID)'), undefined)).toBe(true);
    expect(evaluate(cond('attribute_exists(LockID)'), undefined)).toBe(false);
  });

  it.each([
    ['Price = = :p', 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :p"'],
    ['Price = :p AND', 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'],
    ['Price ! :p', 'Invalid ConditionExpression: Syntax error; token: "!", near: "Price ! :p"'],
    ['(Price = :p', 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":p"'],
    ['', 'Invalid ConditionExpression: The expression can not be empty;'],
    ['Status = :p', 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Status'],
    ['Price = :nope', 'Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope'],
    ['#x = :p', 'Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x'],
    ['attribute_exists(:p)', 'Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists'],
    ['frobnicate(Price)', 'Invalid ConditionExpression: Invalid function name; function: frobnicate'],
  ])('%s is rejected with AWS message', (text, message) => {
    expect(() => cond(text)).toThrow(message);
  });

  it('reports BETWEEN bounds in the wrong order and bad attribute types', () => {
    expect(() => checkCondition(cond('Price BETWEEN :hi AND :lo'), 'ConditionExpression')).toThrow('BETWEEN operator requires upper bound to be greater than or equal to lower bound');
    expect(() => checkCondition(cond('attribute_type(Price, :cat)'), 'ConditionExpression')).toThrow('Invalid attribute type name');
  });

  it('reports unused placeholders', () => {
    const ctx = new ExpressionContext({ '#a': 'A', '#b': 'B' }, { ':x': { S: 'x' }, ':y': { S: 'y' } });
    parseCondition('ConditionExpression', '#a = :x', ctx);
    expect(() => ctx.checkAllUsed()).toThrow('Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}');
  });
});

describe('update expressions', () => {
  const update = (text: string, item: Item = product, vals = values, names?: Record<string, string>) => applyUpdate(item, parseUpdate(text, new ExpressionContext(names, vals)));

  it('applies the Developer Guide examples', () => {
    const vals: Record<string, AttributeValue> = {
      ':ri': { L: [{ S: 'Hammer' }] }, ':pr': { N: '5' }, ':nc': { S: 'Yellow' }, ':newc': { SS: ['Orange', 'Purple'] }, ':q': { N: '5' },
    };
    const r = update('SET ProductCategory = :nc, Price = Price - :pr, RelatedItems = list_append(RelatedItems, :ri), QuantityOnHand = :q REMOVE Pictures.SideView ADD Color :newc', product, vals);
    expect(r.ProductCategory).toEqual({ S: 'Yellow' });
    expect(r.Price).toEqual({ N: '495' });
    expect(r.RelatedItems).toEqual({ L: [{ N: '341' }, { N: '472' }, { N: '649' }, { S: 'Hammer' }] });
    expect(r.Pictures.M).toEqual({ FrontView: product.Pictures.M!.FrontView });
    expect(new Set(r.Color.SS)).toEqual(new Set(['Red', 'Black', 'Orange', 'Purple']));
    expect(product.Price).toEqual({ N: '500' });
  });

  it('removes list elements by their original positions and deletes from sets', () => {
    const r = update('REMOVE RelatedItems[1], RelatedItems[2] DELETE Color :c', product, { ':c': { SS: ['Red', 'Black'] } });
    expect(r.RelatedItems).toEqual({ L: [{ N: '341' }] });
    expect(r.Color).toBeUndefined();
  });

  it('evaluates SET operands against the item before the update', () => {
    const r = update('SET a = :one, b = if_not_exists(a, :n), c = if_not_exists(Price, :n)', product);
    expect([r.a, r.b, r.c]).toEqual([{ N: '1' }, { N: '2' }, { N: '500' }]);
  });

  it('sets nested map members and appends past the end of a list', () => {
    const r = update('SET Pictures.RearView = :v, RelatedItems[10] = :one', product);
    expect(r.Pictures.M!.RearView).toEqual({ S: 'Terrible product!' });
    expect(r.RelatedItems.L).toHaveLength(4);
  });

  it.each([
    ['SET Title = Title + :one', 'An operand in the update expression has an incorrect data type'],
    ['SET x = Nope + :one', 'The provided expression refers to an attribute that does not exist in the item'],
    ['SET Nope.deeper = :one', 'The document path provided in the update expression is invalid for update'],
    ['ADD Title :one', 'An operand in the update expression has an incorrect data type'],
  ])('%s fails with %s', (text, message) => {
    expect(() => update(text)).toThrow(message);
  });

  it.each([
    ['SET a = :one SET b = :one', 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'],
    ['SET a = :one, a.b = :one', 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]'],
    ['ADD hits : incr', 'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"'],
    ['SET', 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"'],
    ['SET Size = :one', 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Size'],
  ])('%s is rejected', (text, message) => {
    expect(() => parseUpdate(text, new ExpressionContext(undefined, values))).toThrow(message);
  });
});

describe('projection expressions', () => {
  it('keeps the projected paths with their nesting', () => {
    const paths = parseProjection('Title, Pictures.FrontView, RelatedItems[2], ProductReviews.OneStar[0]', new ExpressionContext(undefined, undefined));
    expect(project(product, paths)).toEqual({
      Title: product.Title,
      Pictures: { M: { FrontView: product.Pictures.M!.FrontView } },
      RelatedItems: { L: [{ N: '649' }] },
      ProductReviews: { M: { OneStar: { L: [{ S: 'Terrible product!' }] } } },
    });
  });
});
