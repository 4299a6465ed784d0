using Microsoft.Extensions.Logging;
using OrleansBroker.Amqp;
using OrleansBroker.Gateway.Authentication;
using OrleansBroker.Gateway.Protocol;
using OrleansBroker.Grains.VirtualHosts;

namespace OrleansBroker.Gateway.Connections;

/// <summary>The handshake on channel 0: start-ok (authentication), tune-ok, open, and update-secret.</summary>
internal sealed partial class AmqpConnection
{
    private ValueTask HandleConnectionMethodAsync(uint id, ReadOnlySpan<byte> arguments)
    {
        switch (id)
        {
            case AmqpMethodIds.ConnectionStartOk when _state == ConnectionState.AwaitingStartOk:
                return StartOkAsync(ConnectionStartOk.Decode(arguments));

            case AmqpMethodIds.ConnectionTuneOk when _state == ConnectionState.AwaitingTuneOk:
                TuneOk(ConnectionTuneOk.Decode(arguments));
                return ValueTask.CompletedTask;

            case AmqpMethodIds.ConnectionOpen when _state == ConnectionState.AwaitingOpen:
                return OpenAsync(ConnectionOpen.Decode(arguments));

            case AmqpMethodIds.ConnectionClose:
                _ = ConnectionClose.Decode(arguments);
                return CloseByClientAsync();

            case AmqpMethodIds.ConnectionUpdateSecret when _state == ConnectionState.Open:
                return UpdateSecretAsync(ConnectionUpdateSecret.Decode(arguments));

            default:
                if (!AmqpMethodIds.IsKnown(id))
                {
                    FailConnection(ReplyCode.NotImplemented, $"NOT_IMPLEMENTED - {AmqpMethodIds.Name(id)}", id);
                }
                else
                {
                    var state = _state == ConnectionState.AwaitingOpen ? "opening" : "running";
                    FailConnection(ReplyCode.ChannelError, $"CHANNEL_ERROR - unexpected method in connection state {state}", id);
                }

                return ValueTask.CompletedTask;
        }
    }

    private async ValueTask StartOkAsync(ConnectionStartOk startOk)
    {
        ClientProperties = startOk.ClientProperties;

        if (Array.IndexOf(SaslResponse.Mechanisms, startOk.Mechanism) < 0)
        {
            FailConnection(ReplyCode.CommandInvalid, $"COMMAND_INVALID - unknown authentication mechanism '{startOk.Mechanism}'", AmqpMethodIds.ConnectionStartOk);
            return;
        }

        if (!SaslResponse.TryRead(startOk.Mechanism, startOk.Response, out var user, out var password))
        {
            // A response that does not parse is a protocol error, not a login failure: no reply.
            FailConnection(ReplyCode.AccessRefused, $"ACCESS_REFUSED - malformed {startOk.Mechanism} response", 0);
            return;
        }

        var refusal = await _services.Authenticator.AuthenticateAsync(user, password) is null ? $"user '{user}' - invalid credentials"
            : !FromLoopback && LoopbackUsers.Contains(_services.Options.LoopbackUsers, user) ? $"user '{user}' can only connect via localhost"
            : null;
        if (refusal is not null)
        {
            _services.Logger.LogWarning("connection {Id} from {Remote}: {Mechanism} login refused: {Reason}", Id, RemoteAddress, startOk.Mechanism, refusal);
            var text = $"ACCESS_REFUSED - Login was refused using authentication mechanism {startOk.Mechanism}. For details see the broker logfile.";
            if (HasClientCapability("authentication_failure_close"))
            {
                SendConnectionClose(ReplyCode.AccessRefused, text, 0);
                EndConversation();
                return;
            }

            _state = ConnectionState.Closed;
            return;
        }

        UserName = user;
        SendMethod(0, new ConnectionTune(_services.Options.ChannelMax, _services.Options.FrameMax, _services.Options.HeartbeatSeconds));
        _state = ConnectionState.AwaitingTuneOk;
    }

    private void TuneOk(ConnectionTuneOk tuneOk)
    {
        var serverFrameMax = _services.Options.FrameMax;
        var serverChannelMax = _services.Options.ChannelMax;
        if (tuneOk.FrameMax != 0 && tuneOk.FrameMax < 4096)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - frame_max={tuneOk.FrameMax} < 4096 min size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        if (serverFrameMax != 0 && (tuneOk.FrameMax == 0 || tuneOk.FrameMax > serverFrameMax))
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - frame_max={tuneOk.FrameMax} > {serverFrameMax} max size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        if (serverChannelMax != 0 && (tuneOk.ChannelMax == 0 || tuneOk.ChannelMax > serverChannelMax))
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - channel_max={tuneOk.ChannelMax} > {serverChannelMax} max size", AmqpMethodIds.ConnectionTuneOk);
            return;
        }

        FrameMax = tuneOk.FrameMax == 0 ? serverFrameMax : tuneOk.FrameMax;
        ChannelMax = tuneOk.ChannelMax == 0 ? (serverChannelMax == 0 ? ushort.MaxValue : serverChannelMax) : tuneOk.ChannelMax;
        HeartbeatSeconds = tuneOk.Heartbeat;
        _state = ConnectionState.AwaitingOpen;
    }

    private async ValueTask OpenAsync(ConnectionOpen open)
    {
        var access = await _services.Authenticator.GetConnectionAccessAsync(UserName, open.VirtualHost);
        if (!access.VirtualHostExists)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - vhost {open.VirtualHost} not found", AmqpMethodIds.ConnectionOpen);
            return;
        }

        if (access.Permission is not { } permission)
        {
            FailConnection(ReplyCode.NotAllowed, $"NOT_ALLOWED - access to vhost '{open.VirtualHost}' refused for user '{UserName}'", AmqpMethodIds.ConnectionOpen);
            return;
        }

        Permissions = new ConnectionPermissions(UserName, open.VirtualHost, permission, access.TopicPermissions, access.Tags);
        VirtualHost = open.VirtualHost;
        VirtualHostGrain = _services.Grains.GetGrain<IVirtualHostGrain>(VirtualHost);
        await _services.Routing.EnsureSubscribedAsync(VirtualHost);
        await _services.Lease.EnsureAsync(VirtualHost);
        _vhostOpened = true;
        SendMethod(0, new ConnectionOpenOk(string.Empty));
        _state = ConnectionState.Open;
    }

    /// <summary>
    /// RabbitMQ's internal (password) backend accepts any new secret without checking it; only token
    /// backends act on it. We have password users only, so the same.
    /// </summary>
    private ValueTask UpdateSecretAsync(ConnectionUpdateSecret update)
    {
        _services.Logger.LogInformation("connection {Id}: secret updated ({Reason})", Id, update.Reason);
        SendMethod(0, default(ConnectionUpdateSecretOk));
        return ValueTask.CompletedTask;
    }
}
