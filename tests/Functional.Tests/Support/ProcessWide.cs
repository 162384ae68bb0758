using Xunit;

namespace Functional.Tests.Support;

/// <summary>
/// Tests that change or observe process-wide state (MathNet's provider, the worker threads' idleness) run in this
/// collection: one at a time, and after the parallel collections, so no other test changes that state meanwhile.
/// </summary>
[CollectionDefinition(nameof(ProcessWide), DisableParallelization = true)]
public sealed class ProcessWide { }
