namespace OrleansBroker.Tests.Infrastructure.RawAmqp;

/// <summary>The arguments of a connection.close or channel.close.</summary>
internal sealed record CloseInfo(ushort Channel, ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodId)
{
    public static CloseInfo Parse(Frame frame)
    {
        var args = frame.Args();
        var code = args.Short();
        var text = args.ShortStr();
        var classId = args.Short();
        var methodId = args.Short();
        return new CloseInfo(frame.Channel, code, text, classId, methodId);
    }

    public static bool TryParse(Frame frame, out CloseInfo close)
    {
        try
        {
            close = Parse(frame);
            return true;
        }
        catch (FormatException)
        {
            close = new CloseInfo(frame.Channel, 0, string.Empty, 0, 0);
            return false;
        }
    }

    public override string ToString() => $"{ReplyCode} '{ReplyText}' class {ClassId} method {MethodId}";
}
