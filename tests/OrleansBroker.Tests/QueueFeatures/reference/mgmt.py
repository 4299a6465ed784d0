import json, urllib.request, base64, html, time
BASE="http://127.0.0.1:15683/api"
AUTH="Basic "+base64.b64encode(b"guest:guest").decode()
def call(method, path, body=None):
    req=urllib.request.Request(BASE+path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization":AUTH,"content-type":"application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            t=r.read().decode(); return r.status, (json.loads(t) if t else None)
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
def policy(name, pattern, defn, priority=0, apply_to="all", kind="policies"):
    return call("PUT", f"/{kind}/%2f/{name}", {"pattern":pattern,"definition":defn,"priority":priority,"apply-to":apply_to})
def delpolicy(name, kind="policies"): return call("DELETE", f"/{kind}/%2f/{name}")
def queue(name, args=None, durable=True):
    return call("PUT", f"/queues/%2f/{name}", {"durable":durable,"arguments":args or {}})
def delqueue(name): return call("DELETE", f"/queues/%2f/{name}")
def q(name):
    time.sleep(0.3)
    st, d = call("GET", f"/queues/%2f/{name}")
    return {k:d.get(k) for k in ("policy","operator_policy","effective_policy_definition","arguments","type")} if st==200 else (st,d)
def exchange(name, args=None): return call("PUT", f"/exchanges/%2f/{name}", {"type":"fanout","durable":True,"arguments":args or {}})
def x(name):
    time.sleep(0.3)
    st, d = call("GET", f"/exchanges/%2f/{name}"); return {k:d.get(k) for k in ("policy","operator_policy","effective_policy_definition","arguments")} if st==200 else (st,d)
