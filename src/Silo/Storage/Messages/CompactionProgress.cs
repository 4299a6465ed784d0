namespace OrleansBroker.Silo.Storage.Messages;

/// <summary>What one step of compaction did.</summary>
internal enum CompactionProgress
{
    /// <summary>Nothing worth compacting.</summary>
    Idle,

    /// <summary>Copied some messages; the segment has more.</summary>
    MoreToDo,

    /// <summary>The segment's last live message was copied (or had gone meanwhile): it can be deleted once the copies are fsynced.</summary>
    Finished,
}
