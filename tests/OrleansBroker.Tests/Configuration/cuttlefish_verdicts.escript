#!/usr/bin/env escript
%% What RabbitMQ's own parser makes of single rabbitmq.conf lines: the expectations of
%% RabbitMQConfFileTests.Lines_are_accepted_or_refused_as_RabbitMQ_does come from this.
%%
%%   escript tests/OrleansBroker.Tests/Configuration/cuttlefish_verdicts.escript /usr/lib/rabbitmq/lib/rabbitmq_server-3.10.8 CASES
%%
%% CASES has one conf line per line; prints "verdict<TAB>line": accepted, syntax, unknown, datatype or validation.
%% Each line goes through cuttlefish as RabbitMQ's prelaunch does: the schemas of the server and every plugin shipped.
-mode(compile).

main([Server, Cases]) ->
    [code:add_patha(Dir) || Dir <- filelib:wildcard(filename:join([Server, "plugins", "*", "ebin"]))],
    logger:set_primary_config(level, none),
    Schema = cuttlefish_schema:files(filelib:wildcard(filename:join([Server, "plugins", "*", "priv", "schema", "*.schema"]))),
    {ok, Text} = file:read_file(Cases),
    Lines = [binary_to_list(L) || L <- binary:split(Text, <<"\n">>, [global]), L =/= <<>>],
    Temp = "/tmp/cuttlefish_verdict.conf",
    lists:foreach(fun(Line) ->
        ok = file:write_file(Temp, Line ++ "\n"),
        io:format("~s\t~s~n", [verdict(Schema, cuttlefish_conf:file(Temp)), Line])
    end, Lines).

verdict(_Schema, {errorlist, _}) -> "syntax";
verdict(Schema, Conf) ->
    case cuttlefish_generator:map(Schema, Conf) of
        {error, transform_datatypes, {errorlist, Errors}} ->
            case [E || {error, {unknown_variable, _}} = E <- Errors] of [] -> "datatype"; _ -> "unknown" end;
        {error, validation, _} -> "validation";
        {error, Phase, _} -> atom_to_list(Phase);
        _ -> "accepted"
    end.
