namespace Orchestrate.Remote.Inventory;

/// <summary>
/// An inventory that cannot be read or a host pattern that cannot be resolved. The message is one line: what is
/// wrong, where (<c>file:line:column</c> for YAML and JSON files, the key path for configuration), and how to fix it.
/// </summary>
public sealed class InventoryException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public InventoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and the error that caused it.</summary>
    public InventoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
