import { ServiceError } from '../../core/errors.js';

// SQS errors by model shape name; the json codec sends the query-compatible code
// (e.g. AWS.SimpleQueueService.NonExistentQueue) in x-amzn-query-error.

export function queueDoesNotExist(): ServiceError {
  return new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
}

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterValue', message, { statusCode: 400 });
}

/** AWS's wording for a parameter outside its range: "Value 11 for parameter X is invalid. Reason: ..." */
export function invalidValue(name: string, value: unknown, reason: string): ServiceError {
  return invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function missingParameter(name: string): ServiceError {
  return new ServiceError('MissingParameter', `The request must contain the parameter ${name}.`, { statusCode: 400 });
}

export function invalidAttributeName(name: string): ServiceError {
  return new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`, { statusCode: 400 });
}

export function invalidAttributeValue(name: string): ServiceError {
  return new ServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`, { statusCode: 400 });
}

export function receiptHandleIsInvalid(handle: string): ServiceError {
  return new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

export function receiptHandleExpired(handle: string): ServiceError {
  return invalidValue('ReceiptHandle', handle, 'The receipt handle has expired.');
}

export function messageNotInflight(): ServiceError {
  return new ServiceError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
}

/** Batch request errors, in the order SQS checks them. */
export function checkBatch(ids: string[], entryShape: string, max = 10): void {
  if (ids.length === 0) {
    throw new ServiceError('EmptyBatchRequest', `There should be at least one ${entryShape} in the request.`);
  }
  if (ids.length > max) {
    throw new ServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${max}. You have sent ${ids.length}.`);
  }
  const seen = new Set<string>();
  for (const id of ids) {
    if (!/^[\w-]{1,80}$/.test(id)) {
      throw new ServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new ServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}
