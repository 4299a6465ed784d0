using OrleansBroker.Grains.Runtime;

namespace OrleansBroker.Silo.Runtime;

/// <summary>Something waiting in an activation's mailbox to run as one turn: a queued call or a timer tick.</summary>
internal abstract class ActivationWorkItem<TGrain> where TGrain : Grain
{
    /// <summary>
    /// Calls follow their grain to the next activation when theirs deactivates; timer ticks belong to
    /// the activation that registered the timer and are dropped with it.
    /// </summary>
    public abstract bool IsCall { get; }

    /// <summary>
    /// Run the turn; the caller holds the activation's claim and never gets an exception from here.
    /// True when the turn ended synchronously. False when it goes on asynchronously: the item then calls
    /// <see cref="Activation{TGrain}.ContinueAfterTurn"/> when it ends, which passes the claim on.
    /// </summary>
    public abstract bool Run(Activation<TGrain> activation, TGrain grain);

    /// <summary>The turn will never run (activation failed, runtime disposed): tell whoever waits for it.</summary>
    public abstract void Fail(Exception exception);
}
