import type { GetQueryResultsResponse, QueryStatistics, ResultField } from '../../../aws/models/generated/logs.js';
import { withJsonBody } from '../../../aws/protocol/json-body.js';

/** The model's order of QueryStatistics members (JSON.stringify writes the keys in this order). */
const STATISTICS = ['recordsMatched', 'recordsScanned', 'estimatedRecordsSkipped', 'bytesScanned', 'estimatedBytesSkipped', 'logGroupsScanned'];

/**
 * A completed query's answer around its results' JSON text, sent as is (10,000 rows are
 * about 3 MB); `results` is parsed only if an in-process caller reads it.
 */
export function completeResults(text: string, statistics: QueryStatistics): GetQueryResultsResponse {
  let rows: ResultField[][] | undefined;
  const out: GetQueryResultsResponse = {
    queryLanguage: 'CWLI',
    get results() {
      return (rows ??= JSON.parse(text) as ResultField[][]);
    },
    statistics,
    status: 'Complete',
  };
  return withJsonBody(out, () => `{"queryLanguage":"CWLI","results":${text},"statistics":${JSON.stringify(statistics, STATISTICS)},"status":"Complete"}`);
}
