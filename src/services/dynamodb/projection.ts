import type { Item } from './attributes.js';
import type { Path } from './expressions/ast.js';
import { ExpressionContext } from './expressions/context.js';
import { project } from './expressions/evaluate.js';
import { parseProjection } from './expressions/parser.js';
import { checkOverlaps } from './expressions/update-parser.js';
import { validation } from './numbers.js';

export type Projector = (item: Item) => Item;

/** The paths of a ProjectionExpression (or legacy AttributesToGet), or undefined for whole items. */
export function projectionPaths(expression: string | undefined, attributesToGet: string[] | undefined, ctx: ExpressionContext): Path[] | undefined {
  if (expression !== undefined && attributesToGet !== undefined) {
    throw validation('Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}');
  }
  if (attributesToGet) return attributesToGet.map((name) => ({ segments: [{ name }] }));
  if (expression === undefined) return undefined;
  const paths = parseProjection(expression, ctx);
  checkOverlaps(paths, 'ProjectionExpression');
  return paths;
}

export function projector(paths: Path[] | undefined): Projector {
  return paths ? (item) => project(item, paths) : (item) => item;
}

/** For GetItem and BatchGetItem, whose only expression is the projection. */
export function projectionOf(input: { ProjectionExpression?: string; AttributesToGet?: string[]; ExpressionAttributeNames?: Record<string, string> }): Projector {
  const ctx = new ExpressionContext(input.ExpressionAttributeNames, undefined);
  const paths = projectionPaths(input.ProjectionExpression, input.AttributesToGet, ctx);
  ctx.checkAllUsed();
  return projector(paths);
}
