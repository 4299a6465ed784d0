using Microsoft.Extensions.Logging;

namespace OrleansBroker.Silo.Runtime;

/// <summary>What the grain runtime logs: failures nobody else would hear of, or that deserve a record.</summary>
internal static partial class GrainRuntimeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Activation of {GrainType} '{GrainKey}' failed; the call that needed it gets the exception")]
    public static partial void ActivationFailed(ILogger logger, string grainType, string grainKey, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "OnDeactivateAsync of {GrainType} '{GrainKey}' failed; the activation is discarded anyway")]
    public static partial void DeactivationFailed(ILogger logger, string grainType, string grainKey, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Timer callback of {GrainType} '{GrainKey}' failed; the timer keeps running")]
    public static partial void TimerCallbackFailed(ILogger logger, string grainType, string grainKey, Exception exception);
}
