namespace OrleansBroker.Grains.Policies;

/// <summary>What this broker does with a policy key RabbitMQ 3.10 knows.</summary>
public enum PolicyKeySupport
{
    /// <summary>Validated as RabbitMQ validates it and acted on.</summary>
    Applied,

    /// <summary>
    /// Validated as RabbitMQ validates it and kept (so definitions exported from RabbitMQ import and listings show it),
    /// but without effect here; <see cref="PolicyKey.Effect"/> says why.
    /// </summary>
    AcceptedWithoutEffect,

    /// <summary>Refused with a message saying why (classic queue mirroring): a deliberate difference from RabbitMQ 3.10.</summary>
    Refused,
}
