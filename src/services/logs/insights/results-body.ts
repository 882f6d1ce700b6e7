import type { GetQueryResultsResponse, QueryStatistics, ResultField } from '../../../aws/models/generated/logs.js';
import { withJsonBody } from '../../../aws/protocol/json-body.js';

/** The model's order of QueryStatistics members (JSON.stringify writes the keys in this order). */
const STATISTICS = ['recordsMatched', 'recordsScanned', 'estimatedRecordsSkipped', 'bytesScanned', 'estimatedBytesSkipped', 'logGroupsScanned'];

/**
 * A completed query's answer around its results' JSON (UTF-8), sent as is (10,000 rows are
 * about 3 MB); `results` is parsed only if an in-process caller reads it.
 */
export function completeResults(json: Buffer, statistics: QueryStatistics): GetQueryResultsResponse {
  let rows: ResultField[][] | undefined;
  const out: GetQueryResultsResponse = {
    queryLanguage: 'CWLI',
    get results() {
      return (rows ??= JSON.parse(json.toString('utf8')) as ResultField[][]);
    },
    statistics,
    status: 'Complete',
  };
  return withJsonBody(out, () => Buffer.concat([HEAD, json, Buffer.from(`,"statistics":${JSON.stringify(statistics, STATISTICS)},"status":"Complete"}`)]));
}

const HEAD = Buffer.from('{"queryLanguage":"CWLI","results":');
