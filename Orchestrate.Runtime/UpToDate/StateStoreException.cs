namespace Orchestrate.UpToDate;

/// <summary>The state store cannot be used (corrupt, foreign, locked): one line for the user, with the way out.</summary>
public sealed class StateStoreException(string message, Exception? inner = null) : Exception(message, inner);
