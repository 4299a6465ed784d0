namespace OrleansBroker.Gateway.Channels;

internal enum ChannelState
{
    Open,

    /// <summary>We sent channel.close and drop everything until close-ok.</summary>
    Closing,
    Closed,
}
