namespace OrleansBroker.Grains.Routing;

/// <summary>The x-match argument of a headers-exchange binding.</summary>
internal enum HeadersMatchMode : byte
{
    /// <summary>"all", and what a missing or unrecognised x-match means: every argument must match.</summary>
    All,

    /// <summary>"any": at least one argument must match.</summary>
    Any,

    /// <summary>"all-with-x": like all, but arguments named "x-..." (except x-match) take part too.</summary>
    AllWithX,

    /// <summary>"any-with-x": like any, but arguments named "x-..." (except x-match) take part too.</summary>
    AnyWithX,
}
