namespace OrleansBroker.Grains.Access;

/// <summary>The user tags RabbitMQ gives a meaning to; a user may have any other tag too.</summary>
public static class UserTags
{
    /// <summary>Everything the management tools allow, users, vhosts and permissions included.</summary>
    public const string Administrator = "administrator";

    /// <summary>Management access to every vhost's listings, node data included.</summary>
    public const string Monitoring = "monitoring";

    /// <summary>Management access to the vhosts the user has permissions on.</summary>
    public const string Management = "management";

    /// <summary>Management plus policies and parameters of the vhosts the user has permissions on.</summary>
    public const string PolicyMaker = "policymaker";

    /// <summary>May publish messages whose user_id property names another user.</summary>
    public const string Impersonator = "impersonator";

    /// <summary>
    /// Tags as rabbitmqctl set_user_tags and the HTTP API take them: a comma-separated list (the API's form) or
    /// separate words; blanks around each tag are dropped, empty ones too, duplicates kept once.
    /// </summary>
    public static string[] Parse(string commaSeparated) =>
        commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
}
