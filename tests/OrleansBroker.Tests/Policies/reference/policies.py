import json, urllib.request, base64, html, sys
BASE="http://127.0.0.1:15683/api"
AUTH="Basic "+base64.b64encode(b"guest:guest").decode()
def call(method, path, body=None):
    req=urllib.request.Request(BASE+path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization":AUTH,"content-type":"application/json"})
    try:
        with urllib.request.urlopen(req) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
def put_policy(kind, defn, pattern="^zz", **extra):
    body={"pattern":pattern,"definition":defn}; body.update(extra)
    st, txt = call("PUT", f"/{kind}/%2f/probe", body)
    if st in (201,204): call("DELETE", f"/{kind}/%2f/probe"); return st, "OK"
    try: reason=html.unescape(json.loads(txt)["reason"])
    except Exception: reason=txt
    return st, reason
cases = json.loads(sys.stdin.read())
for kind, c in cases:
    defn = c.pop("definition") if "definition" in c else None
    st, r = put_policy(kind, defn, **c) if defn is not None or "pattern" in c else (None,None)
    print(json.dumps({"kind":kind,"case":{"definition":defn, **c},"status":st,"reason":r}))
