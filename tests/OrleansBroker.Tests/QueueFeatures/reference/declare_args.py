import sys, json, pika, decimal
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
cases = [
 ("q", {"x-message-ttl": -1}), ("q", {"x-message-ttl": "x"}), 
 ("q", {"x-message-ttl": 315360000001}), ("q", {"x-message-ttl": 315360000000}), ("q", {"x-message-ttl": True}),
 ("q", {"x-message-ttl": decimal.Decimal("1.5")}), ("q", {"x-message-ttl": None}),
 ("q", {"x-expires": 0}), ("q", {"x-expires": -1}), ("q", {"x-expires": "x"}), ("q", {"x-expires": 315360000001}),
 ("q", {"x-max-length": -1}), ("q", {"x-max-length": "x"}), ("q", {"x-max-length-bytes": -1}),
 ("q", {"x-overflow": "foo"}), ("q", {"x-overflow": 1}),
 ("q", {"x-dead-letter-exchange": 1}), ("q", {"x-dead-letter-exchange": True}),
 ("q", {"x-dead-letter-routing-key": "rk"}), ("q", {"x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": 1}),
 ("q", {"x-max-priority": 256}), ("q", {"x-max-priority": -1}), ("q", {"x-max-priority": "x"}), ("q", {"x-max-priority": 255}),
 ("q", {"x-queue-type": "foo"}), ("q", {"x-queue-type": 1}),
 ("q", {"x-single-active-consumer": 1}), ("q", {"x-single-active-consumer": "true"}),
 ("q", {"x-delivery-limit": 5}), ("q", {"x-queue-mode": "foo"}), ("q", {"x-queue-mode": 1}), ("q", {"x-queue-version": 3}), ("q", {"x-queue-version": "1"}),
 ("q", {"x-max-in-memory-length": 5}), ("q", {"x-dead-letter-strategy": "at-least-once"}),
 ("q", {"x-message-ttl": -1, "x-expires": 0}), ("q", {"x-expires": 0, "x-message-ttl": -1}),
 ("q", {"x-max-length": -1, "x-message-ttl": -1}),
 ("q", {"x-delivery-limit": 5, "x-max-priority": 300}),
 ("q", {"x-foo": 1}),
 ("qq", {"x-queue-type": "quorum", "x-max-priority": 5}), ("qq", {"x-queue-type": "quorum", "x-queue-mode": "lazy"}),
 ("qq", {"x-queue-type": "quorum", "x-delivery-limit": -1}), ("qq", {"x-queue-type": "quorum", "x-delivery-limit": "x"}),
 ("qq", {"x-queue-type": "quorum", "x-dead-letter-strategy": "foo"}), ("qq", {"x-queue-type": "quorum", "x-dead-letter-strategy": 1}),
 ("qq", {"x-queue-type": "quorum", "x-quorum-initial-group-size": 0}),
 ("qq", {"x-queue-type": "quorum", "x-max-in-memory-length": -1}),
 ("qq", {"x-queue-type": "quorum", "x-single-active-consumer": 1}),
 ("qq", {"x-queue-type": "quorum", "x-overflow": "reject-publish-dlx"}),
 ("qq", {"x-queue-type": "quorum", "x-queue-version": 1}),
 ("qq", {"x-queue-type": "quorum", "x-max-priority": 5, "x-queue-mode": "lazy"}),
 ("qq", {"x-queue-mode": "lazy", "x-queue-type": "quorum", "x-max-priority": 5}),
 ("qq", {"x-queue-type": "quorum", "x-message-ttl": -1, "x-max-priority": 5}),
 ("sq", {"x-queue-type": "stream", "x-message-ttl": 5}),
]
out=[]
for name, args in cases:
    ch = conn.channel()
    try:
        ch.queue_declare(name, durable=True, arguments=args)
        r = "OK"; ch.queue_delete(name); ch.close()
    except pika.exceptions.ChannelClosedByBroker as e:
        r = [e.reply_code, e.reply_text]
    print(json.dumps({"args": {k:(str(v) if isinstance(v,decimal.Decimal) else v) for k,v in args.items()}, "result": r}))
for flags in [dict(durable=False), dict(durable=True, exclusive=True), dict(durable=True, auto_delete=True), dict(durable=False, exclusive=True, auto_delete=True)]:
    for t in ("quorum","stream"):
        ch = conn.channel()
        try:
            ch.queue_declare("qf", arguments={"x-queue-type": t}, **flags); r="OK"; ch.queue_delete("qf"); ch.close()
        except pika.exceptions.ChannelClosedByBroker as e: r=[e.reply_code, e.reply_text]
        print(json.dumps({"type":t, "flags":flags, "result":r}))
ch = conn.channel()
try: ch.queue_declare("", arguments={"x-queue-type":"quorum"}, durable=True); r="OK"
except pika.exceptions.ChannelClosedByBroker as e: r=[e.reply_code, e.reply_text]
print(json.dumps({"servernamed quorum": r}))
conn.close()
