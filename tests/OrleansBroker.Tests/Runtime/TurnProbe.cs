namespace OrleansBroker.Tests.Runtime;

/// <summary>Shared by a test and its grains: notices two turns running at once.</summary>
internal sealed class TurnProbe
{
    private int _inside;
    private int _overlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public void Enter()
    {
        if (Interlocked.Increment(ref _inside) != 1)
        {
            Interlocked.Increment(ref _overlaps);
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inside);
}
