using Orleans.Storage;

namespace OrleansBroker.Silo.Storage.Serialization;

/// <summary>
/// The broker's stored format (<see cref="GrainStateSerializer"/>: versioned JSON) as Orleans' grain storage serializer,
/// for Orleans' own providers, so that grain state reads the same in PostgreSQL as in the embedded SQLite store
/// instead of in Orleans' binary or Newtonsoft JSON default.
/// </summary>
internal sealed class OrleansGrainStateSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(GrainStateSerializer.SerializeToUtf8Bytes(input));

    public T? Deserialize<T>(BinaryData input) => GrainStateSerializer.Deserialize<T>(input.ToMemory());
}
