/**
 * The runtime clients Slipway starts in a Lambda execution environment: each speaks the
 * Lambda Runtime API (`/2018-06-01/runtime/...` at AWS_LAMBDA_RUNTIME_API) like AWS's own
 * runtime interface clients, so `provided*` functions with their own `bootstrap` run the same way.
 */

/** Node.js: CommonJS or ESM handlers, async, promise or callback style, AWS's log line format. */
export const NODE_BOOTSTRAP = String.raw`
import http from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const root = process.env.LAMBDA_TASK_ROOT;
let current = undefined;

for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[name] = (...args) => {
    process.stdout.write(new Date().toISOString() + '\t' + (current ?? 'undefined') + '\t' + level + '\t' + format(...args).replace(/\n/g, '\r') + '\n');
  };
}

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: '/2018-06-01/runtime' + path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorPayload(e, fallbackType) {
  if (e instanceof Error) return { errorType: e.name || fallbackType, errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
  return { errorType: fallbackType, errorMessage: typeof e === 'string' ? e : JSON.stringify(e), trace: [] };
}

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  const modulePath = spec.slice(0, dot);
  const fnName = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(root, modulePath + ext)).find((f) => existsSync(f));
  if (dot <= 0 || !file) {
    const e = new Error("Cannot find module '" + modulePath + "'\nRequire stack:\n- /var/runtime/index.mjs");
    e.name = 'Runtime.ImportModuleError';
    throw e;
  }
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[fnName] ?? mod.default?.[fnName];
  if (typeof fn !== 'function') {
    const e = new Error(spec + ' is undefined or not exported');
    e.name = 'Runtime.HandlerNotFound';
    throw e;
  }
  return fn;
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === 'function') out.then(resolve, reject);
      else if (handler.length < 3) resolve(out);
    } catch (e) {
      reject(e);
    }
  });
}

// A handler whose promise never settles must run into its timeout, not end the process.
setInterval(() => {}, 1 << 30);

let handler;
try {
  handler = await loadHandler();
} catch (e) {
  const payload = errorPayload(e, 'Runtime.UserCodeSyntaxError');
  console.error('Init Error', JSON.stringify(payload));
  await call('POST', '/init/error', JSON.stringify(payload));
  process.exit(1);
}

for (;;) {
  const next = await call('GET', '/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
  current = id;
  const context = {
    awsRequestId: id,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (next.headers['lambda-runtime-client-context']) context.clientContext = JSON.parse(next.headers['lambda-runtime-client-context']);
  try {
    const result = await run(handler, JSON.parse(next.body.toString('utf8')), context);
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      const err = new Error('Unable to stringify response body: ' + (e instanceof Error ? e.message : String(e)));
      err.name = 'Runtime.MarshalError';
      throw err;
    }
    await call('POST', '/invocation/' + id + '/response', body);
  } catch (e) {
    const payload = errorPayload(e, 'Error');
    console.error('Invoke Error \t' + JSON.stringify(payload));
    await call('POST', '/invocation/' + id + '/error', JSON.stringify(payload));
  }
}
`;

/** Python 3: `module.function` handlers, AWS's error payload with `stackTrace`. */
export const PYTHON_BOOTSTRAP = String.raw`
import importlib, json, os, sys, time, traceback, urllib.request

BASE = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])

def post(path, payload):
    req = urllib.request.Request(BASE + path, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()

def error_payload(e, error_type=None):
    return {"errorMessage": str(e), "errorType": error_type or type(e).__name__, "requestId": "", "stackTrace": traceback.format_tb(e.__traceback__)}

class Context:
    def __init__(self, request_id, deadline, arn):
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self._deadline = deadline
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))

spec = os.environ.get("_HANDLER", "")
module_name, _, fn_name = spec.rpartition(".")
try:
    handler = getattr(importlib.import_module(module_name.replace("/", ".")), fn_name)
except ImportError as e:
    p = {"errorMessage": "Unable to import module '%s': %s" % (module_name, e), "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    print("[ERROR] Runtime.ImportModuleError: " + p["errorMessage"], flush=True)
    post("/init/error", p)
    sys.exit(1)
except (AttributeError, ValueError):
    p = {"errorMessage": "Handler '%s' missing on module '%s'" % (fn_name, module_name), "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}
    print("[ERROR] Runtime.HandlerNotFound: " + p["errorMessage"], flush=True)
    post("/init/error", p)
    sys.exit(1)

while True:
    with urllib.request.urlopen(BASE + "/invocation/next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        context = Context(request_id, int(r.headers["Lambda-Runtime-Deadline-Ms"]), r.headers["Lambda-Runtime-Invoked-Function-Arn"])
        event = json.loads(r.read())
    try:
        result = handler(event, context)
        try:
            json.dumps(result)
        except (TypeError, ValueError) as e:
            p = {"errorMessage": "Unable to marshal response: %s" % e, "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
            print("[ERROR] Runtime.MarshalError: " + p["errorMessage"], flush=True)
            post("/invocation/%s/error" % request_id, p)
            continue
        post("/invocation/%s/response" % request_id, result)
    except Exception as e:
        p = error_payload(e)
        print("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (p["errorType"], p["errorMessage"], "".join(p["stackTrace"])), flush=True)
        p["requestId"] = request_id
        post("/invocation/%s/error" % request_id, p)
`;
