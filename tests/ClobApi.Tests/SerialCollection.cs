namespace Polysim.ClobApi.Tests;

/// <summary>Tests whose figures depend on having the machine to themselves (timing-sensitive rate measurements): xunit runs
/// this collection alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "Serial (timing-sensitive)";
}
