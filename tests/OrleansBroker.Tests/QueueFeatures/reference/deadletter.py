import sys, json, time, pika
from pika.spec import BasicProperties
_dec = BasicProperties.decode
def dec(self, encoded, offset=0):
    self._raw = bytes(encoded[offset:]); return _dec(self, encoded, offset)
BasicProperties.decode = dec
def raw_of(props): return b"".join(props.encode()).hex()
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel()
def q(name, args=None, **kw):
    ch.queue_delete(name); ch.queue_declare(name, arguments=args or {}, **kw)
def x(name, t="fanout"):
    ch.exchange_delete(name); ch.exchange_declare(name, t)
def get(qname, wait=2.0):
    end = time.time()+wait
    while time.time() < end:
        m, p, b = ch.basic_get(qname, auto_ack=True)
        if m: return m, p, b
        time.sleep(0.05)
    return None, None, None
def out(name, published, m, p, b, **extra):
    d = {"scenario": name, "published": published, "dead": p._raw.hex() if p else None,
         "exchange": m.exchange if m else None, "routing_key": m.routing_key if m else None,
         "headers": repr(p.headers) if p else None, "expiration": p.expiration if p else None}
    d.update(extra); print(json.dumps(d)); sys.stdout.flush()
def reject_from(qname):
    for _ in range(40):
        m, p, b = ch.basic_get(qname)
        if m: ch.basic_reject(m.delivery_tag, requeue=False); return
        time.sleep(0.05)
    raise Exception("nothing in " + qname)

x("src", "direct"); x("dlx")
# S1 reject, expiration, CC, BCC, other props, no DL routing key
q("q1", {"x-dead-letter-exchange": "dlx"}); q("dead1"); ch.queue_bind("q1", "src", "k1"); ch.queue_bind("dead1", "dlx")
props = BasicProperties(content_type="text/plain", headers={"h": "v", "CC": ["k2"], "BCC": ["k3"], "n": 7}, delivery_mode=2, priority=3,
                        correlation_id="c1", reply_to="r1", expiration="60000", message_id="m1", timestamp=1700000000, type="t1", app_id="a1")
ch.basic_publish("src", "k1", b"body", props); reject_from("q1")
m,p,b = get("dead1"); out("S1_reject_cc_bcc_expiration", raw_of(props), m,p,b)
s1 = p
# S3 second death in another queue (expired by queue TTL) from the S1 dead-lettered message, republished as-is
x("dlx3"); q("q3", {"x-message-ttl": 0, "x-dead-letter-exchange": "dlx3"}); q("dead3"); ch.queue_bind("dead3", "dlx3")
p3 = BasicProperties(**{k: getattr(s1, k) for k in ("content_type","headers","delivery_mode","priority","correlation_id","reply_to","message_id","timestamp","type","app_id")})
ch.basic_publish("", "q3", b"body", p3)
m,p,b = get("dead3"); out("S3_second_death_expired_queue_ttl", raw_of(p3), m,p,b)
# S2 DL routing key given: CC removed
q("q2", {"x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "dlrk"}); ch.queue_bind("q2", "src", "k1")
ch.queue_unbind("q1", "src", "k1")
props2 = BasicProperties(headers={"CC": ["k2", "k2b"], "BCC": ["k3"], "a": 1})
ch.basic_publish("src", "k1", b"body", props2); reject_from("q2")
m,p,b = get("dead1"); out("S2_reject_with_dl_routing_key", raw_of(props2), m,p,b)
ch.queue_unbind("q2", "src", "k1")
# S4 self cycle via reject, 3 times
q("q4", {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "q4"})
props4 = BasicProperties(headers={"z": "last", "a": "first"})
ch.basic_publish("", "q4", b"body", props4)
for i in range(3):
    reject_from("q4")
    time.sleep(0.2)
    m,p,b = ch.basic_get("q4")
    out(f"S4_self_reject_{i+1}", raw_of(props4), m,p,b)
    ch.basic_nack(m.delivery_tag, requeue=True); time.sleep(0.1)
ch.queue_purge("q4")
# S5 per-message expiration
q("q5", {"x-dead-letter-exchange": "dlx"}); q("dead5"); ch.queue_unbind("dead1","dlx")
ch.queue_bind("dead5", "dlx")
props5 = BasicProperties(expiration="20")
ch.basic_publish("", "q5", b"body", props5); time.sleep(0.3); ch.basic_get("q5")  # trigger expiry at head
m,p,b = get("dead5"); out("S5_expired_per_message", raw_of(props5), m,p,b)
# S5b no properties at all, queue TTL
q("q5b", {"x-dead-letter-exchange": "dlx", "x-message-ttl": 10})
props5b = BasicProperties()
ch.basic_publish("", "q5b", b"body", props5b); time.sleep(0.3); ch.basic_get("q5b")
m,p,b = get("dead5"); out("S5b_expired_queue_ttl_no_properties", raw_of(props5b), m,p,b)
# S6 maxlen drop-head
q("q6", {"x-dead-letter-exchange": "dlx", "x-max-length": 1})
props6 = BasicProperties(headers={"i": 1})
ch.basic_publish("", "q6", b"first", props6); ch.basic_publish("", "q6", b"second", BasicProperties(headers={"i": 2}))
m,p,b = get("dead5"); out("S6_maxlen_drop_head", raw_of(props6), m,p,b, body=b.decode() if b else None)
# S11 reject-publish-dlx
q("q11", {"x-dead-letter-exchange": "dlx", "x-max-length": 1, "x-overflow": "reject-publish-dlx"})
props11 = BasicProperties(headers={"i": 2})
ch.basic_publish("", "q11", b"first"); ch.basic_publish("", "q11", b"second", props11)
m,p,b = get("dead5"); out("S11_reject_publish_dlx", raw_of(props11), m,p,b, body=b.decode() if b else None)
# S9 invalid x-death type
q("q9", {"x-dead-letter-exchange": "dlx"})
props9 = BasicProperties(headers={"x-death": "garbage", "b": 1})
ch.basic_publish("", "q9", b"body", props9); reject_from("q9")
m,p,b = get("dead5"); out("S9_invalid_x_death", raw_of(props9), m,p,b)
# S13 legacy ungrouped x-death entries
q("q13", {"x-dead-letter-exchange": "dlx"})
props13 = BasicProperties(headers={"x-death": [{"queue": "q13", "reason": "rejected"}, {"queue": "q13", "reason": "rejected"}, {"queue": "other", "reason": "expired", "count": 5}, {"queue": "other", "reason": "expired"}]})
ch.basic_publish("", "q13", b"body", props13); reject_from("q13")
m,p,b = get("dead5"); out("S13_legacy_x_death_grouping", raw_of(props13), m,p,b)
# S14 existing x-death for another queue, new death appended at front; first-death headers not rewritten
q("q14", {"x-dead-letter-exchange": "dlx"})
props14 = BasicProperties(headers={"x-death": [{"count": 2, "queue": "elsewhere", "reason": "expired", "zz": "keep"}], "x-first-death-queue": "elsewhere"})
ch.basic_publish("", "q14", b"body", props14); reject_from("q14")
m,p,b = get("dead5"); out("S14_existing_x_death_other_queue", raw_of(props14), m,p,b)
# S15 x-death present with an entry for this queue and reason expired, now rejected
q("q15", {"x-dead-letter-exchange": "dlx"})
props15 = BasicProperties(headers={"x-death": [{"count": 1, "queue": "x", "reason": "rejected"}, {"count": 4, "reason": "rejected", "queue": "q15", "time": pika.spec.datetime.datetime(2020,1,1) if hasattr(pika.spec,'datetime') else 0}]})
ch.basic_publish("", "q15", b"body", props15); reject_from("q15")
m,p,b = get("dead5"); out("S15_increment_existing_entry_moves_to_front", raw_of(props15), m,p,b)
# S7 expiry cycle drop
q("qa", {"x-message-ttl": 50, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "qb"})
q("qb", {"x-message-ttl": 50, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "qa"})
ch.basic_publish("", "qa", b"cycle")
time.sleep(1.5)
for n in ("qa", "qb"): ch.basic_get(n)
time.sleep(0.5)
print(json.dumps({"scenario": "S7_expiry_cycle", "qa": ch.queue_declare("qa", passive=True).method.message_count, "qb": ch.queue_declare("qb", passive=True).method.message_count}))
# S8 quorum delivery limit
q("q8", {"x-queue-type": "quorum", "x-delivery-limit": 1, "x-dead-letter-exchange": "dlx"}, durable=True)
props8 = BasicProperties(headers={"k": "v"})
ch.basic_publish("", "q8", b"body", props8)
seen = []
for i in range(3):
    m,p,b = get("q8") if False else (None,None,None)
    for _ in range(40):
        m,p,b = ch.basic_get("q8")
        if m: break
        time.sleep(0.05)
    if not m: break
    seen.append(repr(p.headers)); ch.basic_nack(m.delivery_tag, requeue=True); time.sleep(0.2)
m,p,b = get("dead5"); out("S8_quorum_delivery_limit", raw_of(props8), m,p,b, redelivery_headers=seen)
for n in ("q1","q2","q3","q4","q5","q5b","q6","q11","q9","q13","q14","q15","qa","qb","q8","dead1","dead3","dead5"): ch.queue_delete(n)
for n in ("src","dlx","dlx3"): ch.exchange_delete(n)
conn.close()
