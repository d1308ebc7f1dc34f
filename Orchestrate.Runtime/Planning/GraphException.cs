namespace Orchestrate.Planning;

/// <summary>The task graph cannot be run as declared (the generator reports these at compile time;
/// the runtime checks again for graphs assembled from several assemblies or by hand).</summary>
public sealed class GraphException(string message) : Exception(message);
