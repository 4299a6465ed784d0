import json, pika
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5683))
for e in ["10abc", " 10", "+10", "-0", "", "1e3", "315360000001", "315360000000", "-5", "abc", "10 ", "0x10", "１２", "10é", "99999999999999999999999"]:
    ch = conn.channel()
    try:
        ch.basic_publish("", "nonexistent-q", b"x", pika.BasicProperties(expiration=e))
        ch.queue_declare("", exclusive=True); r = "OK"; ch.close()
    except pika.exceptions.ChannelClosedByBroker as ex: r = [ex.reply_code, ex.reply_text]
    print(json.dumps({"expiration": e, "result": r}, ensure_ascii=False))
conn.close()
