namespace OrleansBroker.Grains.QueueFeatures;

/// <summary>The text values of the enumerated queue settings, as arguments and policy definitions spell them.</summary>
public static class QueueSettingValues
{
    public static bool TryParseOverflow(string? text, out QueueOverflow overflow)
    {
        switch (text)
        {
            case "drop-head": overflow = QueueOverflow.DropHead; return true;
            case "reject-publish": overflow = QueueOverflow.RejectPublish; return true;
            case "reject-publish-dlx": overflow = QueueOverflow.RejectPublishDlx; return true;
            default: overflow = QueueOverflow.DropHead; return false;
        }
    }

    public static string Text(QueueOverflow overflow) => overflow switch
    {
        QueueOverflow.DropHead => "drop-head",
        QueueOverflow.RejectPublish => "reject-publish",
        QueueOverflow.RejectPublishDlx => "reject-publish-dlx",
        _ => throw new ArgumentOutOfRangeException(nameof(overflow)),
    };

    public static bool TryParseQueueMode(string? text, out QueueMode mode)
    {
        switch (text)
        {
            case "default": mode = QueueMode.Default; return true;
            case "lazy": mode = QueueMode.Lazy; return true;
            default: mode = QueueMode.Default; return false;
        }
    }

    public static string Text(QueueMode mode) => mode switch
    {
        QueueMode.Default => "default",
        QueueMode.Lazy => "lazy",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    public static bool TryParseDeadLetterStrategy(string? text, out DeadLetterStrategy strategy)
    {
        switch (text)
        {
            case "at-most-once": strategy = DeadLetterStrategy.AtMostOnce; return true;
            case "at-least-once": strategy = DeadLetterStrategy.AtLeastOnce; return true;
            default: strategy = DeadLetterStrategy.AtMostOnce; return false;
        }
    }

    public static string Text(DeadLetterStrategy strategy) => strategy switch
    {
        DeadLetterStrategy.AtMostOnce => "at-most-once",
        DeadLetterStrategy.AtLeastOnce => "at-least-once",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };

    /// <summary>queue-leader-locator / x-queue-leader-locator values RabbitMQ 3.10 accepts (the last two are deprecated aliases of balanced).</summary>
    public static readonly IReadOnlyList<string> LeaderLocators = ["client-local", "balanced", "random", "least-leaders"];

    /// <summary>queue-master-locator values RabbitMQ 3.10 accepts (its registered classic-queue locators).</summary>
    public static readonly IReadOnlyList<string> MasterLocators = ["client-local", "min-masters", "random"];
}
