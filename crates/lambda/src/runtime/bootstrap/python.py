# lakestack's Python runtime client: the loop AWS's runtime runs, over the
# Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, for the handler in _HANDLER.
# Standard library only, so any python3 on the machine can run it.
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, _, PORT = API.rpartition(":")
CONN = http.client.HTTPConnection(HOST, int(PORT))
PREFIX = "/2018-06-01/runtime/"


def call(method, path, body=None, headers=None):
    CONN.request(method, PREFIX + path, body=body, headers=headers or {})
    response = CONN.getresponse()
    return response, response.read()


def emit(text):
    # One log event per record: lakestack splits output on "\n" and reads
    # "\r" inside a record as a line break of the same event.
    sys.stdout.write(text.replace("\n", "\r") + "\n")


def flush():
    sys.stdout.flush()
    sys.stderr.flush()


def error_result(error, request_id, skip=0):
    frames = traceback.extract_tb(error.__traceback__)[skip:]
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def log_error(result):
    lines = ["[ERROR] %s: %s" % (result["errorType"], result["errorMessage"])]
    if result.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        for frame in result["stackTrace"]:
            lines.extend(frame.rstrip("\n").splitlines())
    emit("\n".join(lines))


class LambdaContext:
    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaHandler(logging.Handler):
    def emit(self, record):
        emit(self.format(record))


def install_logging():
    handler = LambdaHandler()
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def init_error(error_type, message, stack=None):
    result = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []}
    log_error(result)
    flush()
    body = json.dumps(result)
    call("POST", "init/error", body, {"Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(1)


def load_handler(name):
    module_name, dot, function_name = name.rpartition(".")
    if not dot or not module_name:
        init_error(
            "Runtime.MalformedHandlerName",
            "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % name,
        )
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        init_error(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '%s': %s" % (module_name, e),
            traceback.format_list(traceback.extract_tb(e.__traceback__)[1:]),
        )
    except ImportError as e:
        init_error("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except Exception as e:
        result = error_result(e, "", skip=1)
        init_error(result["errorType"], result["errorMessage"], result["stackTrace"])
    handler = getattr(module, function_name, None)
    if handler is None:
        init_error(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
        )
    return handler


def main():
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "."))
    install_logging()
    handler = load_handler(os.environ.get("_HANDLER", ""))
    while True:
        response, body = call("GET", "invocation/next")
        if response.status != 200:
            # The instance is being stopped: nothing more will come.
            sys.exit(0)
        headers = response.headers
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        RequestIdFilter.request_id = request_id
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        client_context = headers.get("Lambda-Runtime-Client-Context")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(
            request_id,
            int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            parse_json(client_context),
            parse_json(identity),
        )
        try:
            event = json.loads(body) if body else None
            result = handler(event, context)
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as e:
                raise MarshalError("Unable to marshal response: %s" % e) from None
        except MarshalError as e:
            failure = {"errorMessage": str(e), "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
            log_error(failure)
            flush()
            call("POST", "invocation/%s/error" % request_id, json.dumps(failure),
                 {"Lambda-Runtime-Function-Error-Type": failure["errorType"]})
            continue
        except Exception as e:
            failure = error_result(e, request_id, skip=1)
            log_error(failure)
            flush()
            call("POST", "invocation/%s/error" % request_id, json.dumps(failure),
                 {"Lambda-Runtime-Function-Error-Type": failure["errorType"]})
            continue
        flush()
        call("POST", "invocation/%s/response" % request_id, payload)


class MarshalError(Exception):
    pass


def parse_json(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, http.client.HTTPException):
        # The server went away: nothing left to serve.
        sys.exit(0)
