import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'QueueFeatures', 'reference'))  # mgmt.py is shared with the queue-feature scripts
from mgmt import *
queue("tq")
names = ["a","b","c","d","e","f","g","h","zz","p1","p2","x9"]
import itertools
res={}
for n1,n2 in itertools.combinations(names,2):
    policy(n1,"^tq$",{"message-ttl":1}); policy(n2,"^tq$",{"message-ttl":2})
    r=q("tq")["policy"]
    delpolicy(n1); delpolicy(n2)
    policy(n2,"^tq$",{"message-ttl":2}); policy(n1,"^tq$",{"message-ttl":1})
    r2=q("tq")["policy"]
    delpolicy(n1); delpolicy(n2)
    print(n1,n2,"->",r,r2)
delqueue("tq")
