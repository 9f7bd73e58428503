#!/usr/bin/env python3
"""openapi-examples.py - the request examples of doc/openapi.yaml, ready to send.

usage: openapi-examples.py OPENAPI.yaml TODAY

Prints one line per request example, in document order, fields separated
by tabs: operationId, method, path, example name, expected status, body
(compact JSON, one line). The date placeholders "{{date:N}}" (N days from
TODAY, a YYYY-MM-DD date) are replaced wherever they occur in a string.
The expected status is the example's x-expected-status, else the first
2xx status the operation lists. Exit status 1 (with the reason on stderr)
when the document has no examples or a placeholder is malformed.
"""
import datetime
import json
import re
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
DATE = re.compile(r"date:([+-]?[0-9]+)")


class TextDates(yaml.SafeLoader):
    """YAML's core schema, except that an unquoted date stays a string:
    the API reads text, and JSON has no dates."""


TextDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def substitute(value, today):
    if isinstance(value, str):
        def one(match):
            m = DATE.fullmatch(match.group(1))
            if m is None:
                raise ValueError("unknown placeholder " + match.group(0))
            return (today + datetime.timedelta(days=int(m.group(1)))).isoformat()
        return PLACEHOLDER.sub(one, value)
    if isinstance(value, list):
        return [substitute(v, today) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, today) for k, v in value.items()}
    return value


def main():
    spec_path, today_text = sys.argv[1], sys.argv[2]
    today = datetime.date.fromisoformat(today_text)
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.load(f, Loader=TextDates)
    lines = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            content = op.get("requestBody", {}).get("content", {})
            media = content.get("application/json")
            if media is None:
                continue
            success = [str(s) for s in op.get("responses", {}) if str(s).startswith("2")]
            if "example" in media:
                examples = [("example", {"value": media["example"]})]
            else:
                examples = list(media.get("examples", {}).items())
            for name, example in examples:
                status = example.get("x-expected-status", success[0] if success else "?")
                body = substitute(example["value"], today)
                lines.append("\t".join([op.get("operationId", "?"), method.upper(), path,
                                        name, str(status),
                                        json.dumps(body, ensure_ascii=False,
                                                   separators=(",", ":"))]))
    if not lines:
        print("no request examples in " + spec_path, file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0



if __name__ == "__main__":
    try:
        sys.exit(main())
    except ValueError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
