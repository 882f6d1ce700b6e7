import { ServiceError } from '../../core/errors.js';

/** Parameter Store's naming rules, selectors (`name:3`, `name:label`) and hierarchy paths. */

export const MAX_HIERARCHY_LEVELS = 15;

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
const RESERVED = /^(aws|ssm)/i;

export function validation(message: string): ServiceError {
  return new ServiceError('ValidationException', message, { statusCode: 400 });
}

const PATH_NAME_RULES =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';
const PLAIN_NAME_RULES = 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).';

/** Checks a name given to PutParameter as AWS does; throws the error AWS answers with. */
export function checkName(name: string): void {
  const isPath = name.includes('/');
  if (isPath && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.');
  const segments = isPath ? name.slice(1).split('/') : [name];
  if (!NAME_CHARS.test(name) || segments.some((s) => !SEGMENT.test(s))) {
    throw validation(isPath ? PATH_NAME_RULES : `${PLAIN_NAME_RULES} It can consist of letters, numbers and the following 3 symbols .-_`);
  }
  if (RESERVED.test(segments[0])) throw validation(isPath ? PATH_NAME_RULES : PLAIN_NAME_RULES);
  if (segments.length > MAX_HIERARCHY_LEVELS) {
    throw new ServiceError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.`,
      { statusCode: 400 },
    );
  }
}

/** A path given to GetParametersByPath or a Path filter, normalized without its trailing slash. */
export function checkPath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed === '/' ? [] : trimmed.slice(1).split('/');
  if (!trimmed.startsWith('/') || segments.some((s) => !SEGMENT.test(s)) || (segments.length > 0 && RESERVED.test(segments[0]))) {
    throw validation(
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
  if (segments.length > MAX_HIERARCHY_LEVELS) throw validation(`The path can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
  return trimmed;
}

/** Whether `name` sits under `path`: directly, or anywhere below when recursive. Names without a slash sit at the root. */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const full = name.startsWith('/') ? name : `/${name}`;
  const prefix = path === '/' ? '/' : `${path}/`;
  if (!full.startsWith(prefix) || full.length === prefix.length) return false;
  return recursive || !full.slice(prefix.length).includes('/');
}

export interface Selected {
  name: string;
  version?: number;
  label?: string;
  /** The selector as given (`3`, `prod`), echoed back as `:3`. */
  selector?: string;
  /** For `arn:...:parameter/x`: the name `x` outside any hierarchy, tried when `/x` does not exist. */
  alternate?: string;
}

/**
 * Splits `name:selector` (and full parameter ARNs, which GetParameter also accepts) into
 * the name and the version number or label that selects one version.
 */
export function parseSelector(input: string): Selected {
  let rest = input;
  let fromArn = false;
  if (rest.startsWith('arn:')) {
    const at = rest.indexOf(':parameter/');
    if (at < 0) throw validation(`${input} is not a valid parameter ARN.`);
    rest = rest.slice(at + ':parameter'.length);
    fromArn = true;
  }
  const colon = rest.lastIndexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const selector = colon < 0 ? undefined : rest.slice(colon + 1);
  if (!name || selector === '' || name.includes(':')) throw validation(`The parameter name ${input} is not valid: use name, name:version or name:label.`);
  const alternate = fromArn && name.lastIndexOf('/') === 0 ? name.slice(1) : undefined;
  if (selector === undefined) return { name, alternate };
  return /^\d+$/.test(selector) ? { name, version: Number(selector), selector, alternate } : { name, label: selector, selector, alternate };
}

/** Labels AWS accepts; the others come back as InvalidLabels rather than an error. */
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !RESERVED.test(label);
}

/** The parameter's ARN: hierarchical names keep their leading slash, others gain one. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}
