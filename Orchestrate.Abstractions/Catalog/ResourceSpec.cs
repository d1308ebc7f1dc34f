namespace Orchestrate;

/// <summary>A scarce resource a task uses (<see cref="ResourceAttribute"/>).</summary>
/// <param name="Name">The resource's name.</param>
/// <param name="Limit">How many tasks naming it may run at once.</param>
public sealed record ResourceSpec(string Name, int Limit);
