import sys, time, pika; sys.path.insert(0, __import__('os').path.dirname(__file__))
from mgmt import *
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel()
def count(name): return ch.queue_declare(name, passive=True).method.message_count
def fresh(name, args, durable=True):
    ch.queue_delete(name); ch.queue_declare(name, durable=durable, arguments=args)
def setpol(name, defn, prio=0): policy(name, "^"+name+"$", defn, priority=prio); time.sleep(0.5)
fresh("cA", {"x-max-length":5}); setpol("cA", {"max-length":2})
for i in range(5): ch.basic_publish("", "cA", b"m%d" % i)
time.sleep(0.5)
print("A classic arg5 pol2 ->", count("cA"), [ch.basic_get("cA", auto_ack=True)[2] for _ in range(3)])
fresh("cA2", {}); setpol("cA2", {"max-length":2})
for i in range(5): ch.basic_publish("", "cA2", b"m%d" % i)
time.sleep(0.5)
print("A classic noarg pol2 ->", count("cA2"))
fresh("qE", {"x-queue-type":"quorum","x-expires":1500}); setpol("qE", {"expires":600000})
fresh("qE2", {"x-queue-type":"quorum","x-expires":600000}); setpol("qE2", {"expires":1500})
fresh("qE3", {"x-queue-type":"quorum","x-expires":1500})
time.sleep(14)
for n in ("qE","qE2","qE3"):
    print("D", n, "exists after 14s:", call("GET", f"/queues/%2f/{n}")[0]==200)
for n in ("cA","cA2","qE","qE2","qE3"):
    delpolicy(n); ch.queue_delete(n)
conn.close()
