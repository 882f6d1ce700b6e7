import { ServiceError } from '../../core/errors.js';

/** SNS's usual complaint: "Invalid parameter: <what>" (wire code InvalidParameter). */
export function invalidParameter(what: string): ServiceError {
  return new ServiceError('InvalidParameterException', `Invalid parameter: ${what}`);
}

export function topicNotFound(): ServiceError {
  return new ServiceError('NotFoundException', 'Topic does not exist');
}

export function subscriptionNotFound(): ServiceError {
  return new ServiceError('NotFoundException', 'Subscription does not exist');
}

export function resourceNotFound(): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'Resource does not exist');
}
