import { ServiceError } from '../../core/errors.js';
import type { Protocol } from '../models/shapes.js';

/** Services whose validation failures use a code other than their protocol's usual one. */
const VALIDATION_CODES: Record<string, string> = {
  sns: 'InvalidParameter',
  cloudwatch: 'InvalidParameterValue',
  sqs: 'InvalidParameterValue',
  s3: 'InvalidArgument',
  ec2: 'InvalidParameterValue',
};

/** The error for input that breaks the model's constraints, as the service would name it. */
export function validationError(service: string, protocol: Protocol | 'internal', message: string): ServiceError {
  const code = VALIDATION_CODES[service] ?? (protocol === 'query' ? 'ValidationError' : 'ValidationException');
  return new ServiceError(code, message, { statusCode: 400 });
}

/** The error for a request naming an operation the service does not have. */
export function unknownOperation(service: string, protocol: Protocol, name: string | undefined): ServiceError {
  if (protocol === 'query' || protocol === 'ec2') {
    return name
      ? new ServiceError('InvalidAction', `The action ${name} is not valid for this web service.`, { statusCode: 400 })
      : new ServiceError('MissingAction', 'The request must contain the parameter Action.', { statusCode: 400 });
  }
  if (protocol === 'rest-json' || protocol === 'rest-xml') {
    return new ServiceError('UnknownOperationException', `No ${service} operation matches this method and path.`, { statusCode: 404 });
  }
  return new ServiceError('UnknownOperationException', name ? `${service} has no operation ${name}.` : `The request does not name a ${service} operation.`, {
    statusCode: 400,
  });
}

export function internalFailure(requestId: string): ServiceError {
  return new ServiceError('InternalFailure', `The request processing has failed because of an unknown error (request ${requestId}); the Slipway log has the details.`, {
    statusCode: 500,
    senderFault: false,
  });
}
