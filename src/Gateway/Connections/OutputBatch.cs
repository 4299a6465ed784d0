namespace OrleansBroker.Gateway.Connections;

/// <summary>
/// Frames written on this thread between <see cref="Begin"/> and <see cref="End"/> are sent when the batch
/// ends, on this thread, instead of waking a thread-pool writer per connection. A read loop opens one
/// around each synchronous stretch of its work: everything that stretch produced (replies, confirms, and
/// the deliveries its publishes and acks caused on other connections) leaves in one write per connection,
/// with no thread hand-off. A batch must never stay open across an await that goes asynchronous: the
/// thread would run unrelated work whose frames would then wait for this batch to end.
/// </summary>
internal static class OutputBatch
{
    [ThreadStatic]
    private static List<FrameOutput>? t_outputs;

    [ThreadStatic]
    private static int t_depth;

    public static void Begin()
    {
        t_depth++;
        t_outputs ??= new List<FrameOutput>();
    }

    /// <summary>Close the batch (the outermost one): every output written in it sends what it has.</summary>
    public static void End()
    {
        if (--t_depth > 0)
        {
            return;
        }

        var outputs = t_outputs!;

        // Sending can write more frames on this thread (a drained buffer resumes consumers): those join
        // the list while it is walked and are sent too.
        t_depth++;
        for (var i = 0; i < outputs.Count; i++)
        {
            outputs[i].SendPending();
        }

        outputs.Clear();
        t_depth--;
    }

    /// <summary>Called by an output with frames to send; false when no batch is open on this thread.</summary>
    internal static bool TryEnlist(FrameOutput output)
    {
        if (t_depth == 0)
        {
            return false;
        }

        t_outputs!.Add(output);
        return true;
    }
}
