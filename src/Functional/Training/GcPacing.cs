namespace Functional.Training;

/// <summary>Whether a training loop asks the garbage collector for collections itself.</summary>
/// <remarks>
/// A pure step allocates its successor's parameters, gradients and caches, and nearly all of it dies a step later.
/// With the runtime's default youngest-generation budget (sized from the L3 cache) a small step keeps landing on memory
/// that has left the caches; collecting generation 0 every few megabytes keeps it warm (the digits step: about a
/// quarter faster). Collections never change a value, only time. The choice is the caller's: a library should not
/// force collections on a program that did not ask, so the default leaves the collector alone.
/// </remarks>
public enum GcPacing
{
    /// <summary>The runtime decides when to collect (the default).</summary>
    Runtime,

    /// <summary>The loop collects generation 0 whenever its thread has allocated <see cref="NurseryPacer.Budget"/>
    /// bytes since the last collection, except for steps of <see cref="NurseryPacer.LargeStep"/> or more
    /// (<c>fnn train</c> and <c>fnn bench</c> use this).</summary>
    Nursery,
}
