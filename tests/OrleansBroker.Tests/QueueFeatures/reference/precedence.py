import sys, time, pika; sys.path.insert(0, __import__('os').path.dirname(__file__))
from mgmt import *
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel()
def count(name):
    return ch.queue_declare(name, passive=True).method.message_count
def fresh(name, args, durable=True):
    ch.queue_delete(name); ch.queue_declare(name, durable=durable, arguments=args)
def setpol(name, defn, prio=0): print("policy", name, policy(name, "^"+name+"$", defn, priority=prio)); time.sleep(0.5)
# A classic min
fresh("cA", {"x-max-length":5}); setpol("cA", {"max-length":2})
for i in range(5): ch.basic_publish("", "cA", b"m")
print("A classic arg5 pol2 ->", count("cA"))
fresh("cB", {"x-max-length":2}); setpol("cB", {"max-length":5})
for i in range(5): ch.basic_publish("", "cB", b"m")
print("A classic arg2 pol5 ->", count("cB"))
# B/C overflow
cc = conn.channel(); cc.confirm_delivery()
def pubs(q, n):
    res=[]
    for i in range(n):
        try: cc.basic_publish("", q, b"m"); res.append("ack")
        except pika.exceptions.NackError: res.append("nack")
    return res
fresh("cC", {"x-max-length":1, "x-overflow":"reject-publish"}); setpol("cC", {"overflow":"drop-head"})
print("B classic overflow arg reject, pol drop-head ->", pubs("cC", 3), count("cC"))
fresh("qC", {"x-queue-type":"quorum","x-max-length":1, "x-overflow":"reject-publish"}); setpol("qC", {"overflow":"drop-head"})
print("C quorum overflow arg reject, pol drop-head ->", pubs("qC", 3), count("qC"))
fresh("qC2", {"x-queue-type":"quorum","x-max-length":1, "x-overflow":"drop-head"}); setpol("qC2", {"overflow":"reject-publish"})
print("C quorum overflow arg drop-head, pol reject ->", pubs("qC2", 3), count("qC2"))
# D expires
fresh("cE", {"x-expires":1500}); setpol("cE", {"expires":600000})
fresh("qE", {"x-queue-type":"quorum","x-expires":1500}); setpol("qE", {"expires":600000})
fresh("qE2", {"x-queue-type":"quorum","x-expires":600000}); setpol("qE2", {"expires":1500})
time.sleep(4)
for n in ("cE","qE","qE2"):
    print("D", n, "exists after 4s:", call("GET", f"/queues/%2f/{n}")[0]==200)
# E message ttl
fresh("cT", {"x-message-ttl":60000}); setpol("cT", {"message-ttl":100})
fresh("qT", {"x-queue-type":"quorum","x-message-ttl":60000}); setpol("qT", {"message-ttl":100})
ch.basic_publish("", "cT", b"m"); ch.basic_publish("", "qT", b"m"); time.sleep(1)
print("E classic ttl arg60000 pol100 ->", ch.basic_get("cT", auto_ack=True)[0] is None and "expired" or "kept")
print("E quorum ttl arg60000 pol100 ->", ch.basic_get("qT", auto_ack=True)[0] is None and "expired" or "kept")
# F dlx
for q in ("dA","dB"): fresh(q, {})
ch.exchange_declare("dlxA","fanout"); ch.exchange_declare("dlxB","fanout")
ch.queue_bind("dA","dlxA"); ch.queue_bind("dB","dlxB")
fresh("cD", {"x-dead-letter-exchange":"dlxA"}); setpol("cD", {"dead-letter-exchange":"dlxB","dead-letter-routing-key":"zz"})
ch.basic_publish("", "cD", b"m"); m = ch.basic_get("cD"); ch.basic_reject(m[0].delivery_tag, requeue=False); time.sleep(0.3)
print("F classic dlx arg A pol B ->", count("dA"), count("dB"))
g = ch.basic_get("dA", auto_ack=True); print("F routing key", g[0].routing_key if g[0] else None)
for n in ("cA","cB","cC","qC","qC2","cE","qE","qE2","cT","qT","cD","dA","dB"):
    delpolicy(n); ch.queue_delete(n)
conn.close()
