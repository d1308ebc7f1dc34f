using System.ComponentModel;

namespace Orchestrate;

/// <summary>
/// The tasks of the program. The generator's module initializer registers each assembly's tasks
/// here before <c>Main</c> runs, so user code never lists them.
/// </summary>
public static class TaskCatalog
{
    private static readonly Lock Gate = new();
    private static readonly List<TaskDescriptor> Registered = [];

    /// <summary>Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(IEnumerable<TaskDescriptor> tasks)
    {
        lock (Gate)
        {
            Registered.AddRange(tasks);
        }
    }

    /// <summary>Every registered task, in registration order.</summary>
    public static IReadOnlyList<TaskDescriptor> Tasks
    {
        get
        {
            lock (Gate)
            {
                return Registered.ToArray();
            }
        }
    }
}
