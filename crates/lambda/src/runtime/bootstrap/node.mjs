// lakestack's Node.js runtime client: the loop AWS's runtime runs, over the
// Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, for the handler in _HANDLER.
// Node's standard library only.
import http from "node:http";
import path from "node:path";
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const [host, port] = (() => {
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  const i = api.lastIndexOf(":");
  return [api.slice(0, i), Number(api.slice(i + 1))];
})();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = "/2018-06-01/runtime/";

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: PREFIX + p, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// One log event per record: lakestack splits output on "\n" and reads "\r"
// inside a record as a line break of the same event.
let requestId = "";
function emit(level, args) {
  const text = format(...args).replace(/\n/g, "\r");
  process.stdout.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${text}\n`);
}
console.log = (...a) => emit("INFO", a);
console.info = (...a) => emit("INFO", a);
console.warn = (...a) => emit("WARN", a);
console.error = (...a) => emit("ERROR", a);
console.debug = (...a) => emit("DEBUG", a);
console.trace = (...a) => emit("TRACE", a);

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function errorResult(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      trace: String(err.stack || "").split("\n"),
    };
  }
  return { errorType: "string", errorMessage: String(err), trace: [] };
}

async function initError(errorType, errorMessage) {
  const result = { errorType, errorMessage, trace: [] };
  process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\t${JSON.stringify(result).replace(/\n/g, "\r")}\n`);
  await call("POST", "init/error", JSON.stringify(result), { "Lambda-Runtime-Function-Error-Type": errorType });
  process.exit(1);
}

async function loadHandler(name) {
  const root = process.env.LAMBDA_TASK_ROOT || ".";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) {
    return initError("Runtime.MalformedHandlerName", "Bad handler");
  }
  const modulePath = name.slice(0, dot);
  const fn = name.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  const file = [".js", ".mjs", ".cjs"].map((e) => base + e).find((f) => fs.existsSync(f));
  if (!file) {
    return initError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`,
    );
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const r = errorResult(err);
    return initError(err instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : r.errorType, `${r.errorType}: ${r.errorMessage}`);
  }
  const handler = mod[fn] ?? mod.default?.[fn];
  if (typeof handler !== "function") {
    return initError("Runtime.HandlerNotFound", `${name} is undefined or not exported`);
  }
  return handler;
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      err ? reject(err) : resolve(result);
    };
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === "function") {
        out.then((r) => callback(null, r), (e) => callback(e));
      } else if (handler.length < 3) {
        callback(null, out);
      }
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  const handler = await loadHandler(process.env._HANDLER || "");
  for (;;) {
    const { status, headers, body } = await call("GET", "invocation/next");
    // The instance is being stopped: nothing more will come.
    if (status !== 200) process.exit(0);
    requestId = headers["lambda-runtime-aws-request-id"] || "";
    const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
    if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: parseJson(headers["lambda-runtime-client-context"]),
      identity: parseJson(headers["lambda-runtime-cognito-identity"]),
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    };
    let event;
    try {
      event = body.length ? JSON.parse(body.toString("utf8")) : null;
      const result = await run(handler, event, context);
      const payload = result === undefined ? "null" : JSON.stringify(result);
      await call("POST", `invocation/${requestId}/response`, payload);
    } catch (err) {
      const r = errorResult(err);
      process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(r).replace(/\n/g, "\r")}\n`);
      await call("POST", `invocation/${requestId}/error`, JSON.stringify(r), {
        "Lambda-Runtime-Function-Error-Type": r.errorType,
      });
    }
  }
}

main().catch(() => process.exit(0));
