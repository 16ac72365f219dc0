#!/usr/bin/env python3
"""Python's reading of messages, for Postdesk's differential test.

Usage: python_reading.py FILE...   (prints one JSON object per file, one per line)

For each message (BytesParser, policy.default) it prints what Postdesk's `inspect --json` also reports:
subject, from/to/cc addresses, message ids, the plain-text body and the number of non-body parts.
Any exception in one field is reported as {"field": "error: ..."} so the others still compare.
"""
import json
import re
import sys
from email import policy
from email.parser import BytesParser

ID = re.compile(r"<([^<>]*)>")


def ids(value):
    if value is None:
        return []
    return ["".join(m.split()) for m in ID.findall(str(value)) if m.strip()]


def addresses(msg, name):
    out = []
    for value in msg.get_all(name) or []:
        try:
            for a in value.addresses:
                out.append(a.addr_spec)
        except Exception:
            out.append("error")
    return out


def leaves(part, skip):
    """Non-body leaves; message/rfc822 counts as one and is not entered."""
    n = 0
    if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list):
        for p in part.get_payload():
            n += leaves(p, skip)
        return n
    if any(part is s for s in skip):
        return 0
    return 1


def reading(path):
    raw = open(path, "rb").read()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    r = {"path": path}
    try:
        r["subject"] = None if msg["subject"] is None else " ".join(str(msg["subject"]).split())
    except Exception as e:
        r["subject"] = "error: %s" % e
    for field in ("from", "to", "cc"):
        try:
            r[field] = addresses(msg, field)
        except Exception as e:
            r[field] = ["error: %s" % e]
    try:
        mid = ids(msg["message-id"])
        r["message_id"] = mid[0] if mid else None
    except Exception as e:
        r["message_id"] = "error: %s" % e
    for field, header in (("in_reply_to", "in-reply-to"), ("references", "references")):
        try:
            r[field] = ids(msg[header])
        except Exception as e:
            r[field] = ["error: %s" % e]
    skip = []
    try:
        body = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        skip = [b for b in (body, html) if b is not None]
        r["text"] = None
        if body is not None:
            try:
                r["text"] = body.get_content()
            except Exception:
                payload = body.get_payload(decode=True) or b""
                r["text"] = payload.decode("utf-8", "replace")
    except Exception as e:
        r["text"] = "error: %s" % e
    try:
        r["attachments"] = leaves(msg, skip)
    except Exception as e:
        r["attachments"] = -1
    return r


if __name__ == "__main__":
    for path in sys.argv[1:]:
        try:
            print(json.dumps(reading(path), ensure_ascii=False))
        except Exception as e:
            print(json.dumps({"path": path, "error": str(e)}))
