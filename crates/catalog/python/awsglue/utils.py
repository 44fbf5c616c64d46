"""Job arguments as AWS Glue's `awsglue.utils` reads them.

`getResolvedOptions(args, options)` answers the value of each `--NAME value`
argument named in `options`, read from `args` (a script passes `sys.argv`),
with the same reserved names, defaults and refusals as AWS Glue's library, so
a script behaves here as it does on AWS:

- every name in `options` is required; a missing one raises
  `GlueArgumentError` ("the following arguments are required: --day");
- `JOB_NAME` may be asked for; `JOB_ID`, `JOB_RUN_ID`, `SECURITY_CONFIGURATION`,
  `encryption-type`, `job-bookmark-option`, `continuation-option`,
  `job-bookmark-from` and `job-bookmark-to` are Glue's own and asking for one
  raises `RuntimeError("Using reserved arguments ...")`;
- the answer also holds Glue's own options (None when absent),
  `job_bookmark_option` defaulting to `job-bookmark-disable`, and `TempDir`
  and `RedshiftTempDir` standing in for each other;
- arguments that were not asked for are ignored.
"""

import argparse

__all__ = ["GlueArgumentError", "getResolvedOptions"]

# Glue's bookmark option and the older spelling it replaced, each with its
# values in the same order, so that one translates into the other by position.
_BOOKMARK = ("--job-bookmark-option", ["job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"])
_CONTINUATION = ("--continuation-option", ["continuation-enabled", "continuation-readonly", "continuation-ignore"])
_BOOKMARK_RANGE = ("--job-bookmark-from", "--job-bookmark-to")
# `--JOB_NAME` is not reserved: a script asks for it by name.
_RUN_IDENTITY = ("--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION")
_ENCRYPTION = ("--encryption-type", ["sse-s3"])
_TEMP_DIRS = ("RedshiftTempDir", "TempDir")

# What every call resolved so far, as Glue's library keeps it.
_global_args = {}


class GlueArgumentError(Exception):
    """An argument asked for is missing, or a value is not one allowed."""


class _GlueArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        # Raised rather than printed with a usage line and sys.exit(2), so that
        # the script sees what was wrong and may handle it.
        raise GlueArgumentError(message)


def _refuse_reserved(options, flag, asked_as):
    if asked_as in options:
        raise RuntimeError("Using reserved arguments " + flag)


def getResolvedOptions(args, options):
    """The named options' values from `args` (argv: the script's path first)."""
    parser = _GlueArgumentParser()

    for flag, _ in (_CONTINUATION, _BOOKMARK):
        _refuse_reserved(options, flag[2:], flag[2:])
    parser.add_argument(_BOOKMARK[0], choices=_BOOKMARK[1], required=False)
    parser.add_argument(_CONTINUATION[0], choices=_CONTINUATION[1], required=False)

    for flag in _BOOKMARK_RANGE:
        _refuse_reserved(options, flag, flag[2:])
        parser.add_argument(flag, required=False)

    for flag in _RUN_IDENTITY:
        _refuse_reserved(options, flag, flag[2:])
        parser.add_argument(flag, required=False)

    _refuse_reserved(options, _ENCRYPTION[0], _ENCRYPTION[0][2:])
    parser.add_argument(_ENCRYPTION[0], choices=_ENCRYPTION[1])

    # The temporary directories are always optional, even when asked for.
    wanted = [name for name in options if name not in _TEMP_DIRS]
    for name in _TEMP_DIRS:
        parser.add_argument("--" + name, required=False)
    for name in wanted:
        parser.add_argument("--" + name, required=True)

    known, _unasked = parser.parse_known_args(args[1:])
    resolved = vars(known)

    if resolved.get("TempDir") is not None:
        resolved["RedshiftTempDir"] = resolved["TempDir"]
    elif resolved.get("RedshiftTempDir") is not None:
        resolved["TempDir"] = resolved["RedshiftTempDir"]

    # --job-bookmark-option wins; else the older --continuation-option,
    # translated; else bookmarks are off.
    continuation = resolved.pop("continuation_option", None)
    if resolved.get("job_bookmark_option") is None:
        if continuation is None:
            resolved["job_bookmark_option"] = "job-bookmark-disable"
        else:
            resolved["job_bookmark_option"] = _BOOKMARK[1][_CONTINUATION[1].index(continuation)]

    missing = [flag for flag in _BOOKMARK_RANGE if resolved.get(flag[2:].replace("-", "_")) is None]
    if resolved["job_bookmark_option"] == "job-bookmark-pause":
        # A paused bookmark takes both ends of its range or neither.
        if len(missing) == 1:
            raise RuntimeError("Missing option or value for " + missing[0])
    elif not missing:
        raise RuntimeError("Invalid option(s)" + " ".join(_BOOKMARK_RANGE))

    _global_args.update(resolved)
    return resolved
