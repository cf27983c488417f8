#!/usr/bin/env python3
"""Checks AsyncAPI 3.0 documents with tools that are not Renkei's (test tooling only).

Each document must be accepted by the `asyncapi3` package (PyPI; Pydantic models of the AsyncAPI 3.0
specification and its bindings, which reject unknown fields, wrong types and malformed keys). On top of that
parse, three rules of the specification that the models do not check: every local `$ref` resolves, an
operation's messages are messages of its channel (and a reply's of the reply channel), and every payload schema
is a valid JSON Schema (draft-07, which the AsyncAPI Schema Object extends; checked with `jsonschema`).

Usage: check-asyncapi.py FILE...  (JSON, or YAML when the name ends in .yaml/.yml)
Exit 0 when every document passes, 1 when any fails, 3 when the tools are not installed.
"""
import json
import sys
import warnings

# asyncapi3's models name a field `schema`, as the specification does; Pydantic warns about it on import.
warnings.filterwarnings("ignore", message='Field name "schema"', category=UserWarning)
try:
    import yaml
    from asyncapi3 import AsyncAPI3
    from jsonschema import Draft7Validator
    from pydantic import ValidationError
except ImportError as error:
    print(f"check-asyncapi: {error.name} is not installed (scripts/setup.sh --with-test-tools)", file=sys.stderr)
    sys.exit(3)


def pointer(document, ref):
    """The value `ref` (`#/a/b`) points to, or raises KeyError."""
    value = document
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def refs(value, path="#"):
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "$ref" and isinstance(member, str):
                yield path, member
            else:
                yield from refs(member, f"{path}/{key}")
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield from refs(member, f"{path}/{index}")


def problems(document):
    try:
        AsyncAPI3.model_validate(document)
    except ValidationError as error:
        for detail in error.errors():
            yield "asyncapi3: " + "/".join(str(part) for part in detail["loc"]) + ": " + detail["msg"]
    for where, ref in refs(document):
        if not ref.startswith("#"):
            continue
        try:
            pointer(document, ref)
        except (KeyError, IndexError, ValueError, TypeError):
            yield f"{where}: $ref {ref} does not resolve"
    for name, operation in (document.get("operations") or {}).items():
        channel = operation.get("channel", {}).get("$ref", "")
        for message in operation.get("messages", []):
            if not message.get("$ref", "").startswith(channel + "/messages/"):
                yield f"operation {name}: message {message.get('$ref')} is not a message of {channel}"
        reply = operation.get("reply") or {}
        reply_channel = reply.get("channel", {}).get("$ref", "")
        for message in reply.get("messages", []):
            if not message.get("$ref", "").startswith(reply_channel + "/messages/"):
                yield f"operation {name}: reply message {message.get('$ref')} is not a message of {reply_channel}"
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        try:
            Draft7Validator.check_schema(schema)
        except Exception as error:  # jsonschema.SchemaError, with the keyword that is wrong
            yield f"components/schemas/{name}: not a valid JSON Schema: {str(error).splitlines()[0]}"


def main(paths):
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        document = yaml.safe_load(text) if path.endswith((".yaml", ".yml")) else json.loads(text)
        found = list(problems(document))
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        failed += bool(found)
        print(f"{path}: {'invalid' if found else 'valid'} AsyncAPI {document.get('asyncapi')}")
    print(f"{len(paths) - failed} valid, {failed} invalid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
