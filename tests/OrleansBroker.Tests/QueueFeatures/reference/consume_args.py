import pika, json
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
ch = conn.channel(); ch.queue_declare("cq1"); ch.queue_declare("qq1", durable=True, arguments={"x-queue-type":"quorum"})
for q, args in [("cq1", {"x-priority": "x"}), ("cq1", {"x-priority": -5}), ("cq1", {"x-cancel-on-ha-failover": 1}), ("cq1", {"x-stream-offset": 1}),
                ("qq1", {"x-cancel-on-ha-failover": True}), ("qq1", {"x-priority": True}), ("cq1", {"x-stream-offset": 1, "x-priority": "x"}), ("cq1", {"x-foo": 1})]:
    ch = conn.channel()
    try: ch.basic_consume(q, lambda *a: None, arguments=args); r = "OK"; ch.close()
    except pika.exceptions.ChannelClosedByBroker as e: r = [e.reply_code, e.reply_text]
    print(json.dumps({"queue": q, "args": args, "result": r}))
ch = conn.channel(); ch.queue_delete("cq1"); ch.queue_delete("qq1"); conn.close()
