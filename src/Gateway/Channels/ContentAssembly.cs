namespace OrleansBroker.Gateway.Channels;

internal enum ContentStage : byte
{
    None,
    ExpectHeader,
    ExpectBody,
}

/// <summary>
/// A basic.publish whose content is still arriving. The property bytes and the body share one
/// array, allocated once when the content header announces the size.
/// </summary>
internal struct ContentAssembly
{
    public ContentStage Stage;

    /// <summary>The method the content belongs to: basic.publish, or a server-only method refused once its content is in.</summary>
    public uint MethodId;
    public string Exchange;
    public string RoutingKey;
    public bool Mandatory;
    public byte[] Buffer;
    public int PropertiesLength;
    public int Received;
}
