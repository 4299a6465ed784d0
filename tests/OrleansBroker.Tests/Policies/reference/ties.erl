Names = [<<"a">>,<<"b">>,<<"c">>,<<"d">>,<<"e">>,<<"f">>,<<"zz">>,<<"p1">>,<<"p2">>,<<"x9">>],
QN = rabbit_misc:r(<<"/">>, queue, <<"tq">>),
Pairs = [{A,B} || A <- Names, B <- Names, A < B],
R = [begin
  ok = rabbit_policy:set(<<"/">>, A, <<"^tq$">>, [{<<"message-ttl">>,1}], 0, <<"all">>, <<"guest">>),
  ok = rabbit_policy:set(<<"/">>, B, <<"^tq$">>, [{<<"message-ttl">>,2}], 0, <<"all">>, <<"guest">>),
  {ok, Q} = rabbit_amqqueue:lookup(QN),
  W = rabbit_policy:name(Q),
  rabbit_policy:delete(<<"/">>, A, <<"guest">>), rabbit_policy:delete(<<"/">>, B, <<"guest">>),
  {A,B,W}
 end || {A,B} <- Pairs],
io:format("~p~n", [R]).
