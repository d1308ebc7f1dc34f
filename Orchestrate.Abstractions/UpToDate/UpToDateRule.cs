namespace Orchestrate;

/// <summary>
/// A rule that decides, with the file deps and targets, whether a task is up to date (doit's
/// <c>uptodate</c> entries). The attributes become these; code that builds descriptors may use them
/// directly.
/// </summary>
public abstract record UpToDateRule
{
    private protected UpToDateRule() { }

    /// <summary>Up to date once it succeeded (<see cref="RunOnceAttribute"/>).</summary>
    public static UpToDateRule RunOnce { get; } = new RunOnceRule();

    /// <summary>Out of date when the computed value changes (<see cref="ConfigChangedAttribute"/>).</summary>
    public static UpToDateRule ConfigChanged(string name, Func<IServiceProvider, object?> compute) => new ConfigChangedRule(name, compute);

    /// <summary>Out of date when the other task's result changes (<see cref="ResultDepAttribute"/>).</summary>
    public static UpToDateRule ResultDep(string task) => new ResultDepRule(task);

    /// <summary>Out of date this long after the last success (<see cref="ExpiresAfterAttribute"/>).</summary>
    public static UpToDateRule ExpiresAfter(TimeSpan lifetime) => new ExpiresAfterRule(lifetime);

    /// <summary>Out of date when the path's timestamp changes (<see cref="TimestampUnchangedAttribute"/>).</summary>
    public static UpToDateRule TimestampUnchanged(string path, TimestampKind kind = TimestampKind.Modified) => new TimestampUnchangedRule(path, kind);

    /// <summary>Up to date when the predicate says so (<see cref="UpToDateIfAttribute"/>).</summary>
    public static UpToDateRule Custom(string name, Func<UpToDateContext, ValueTask<bool>> isUpToDate)
    {
        ArgumentNullException.ThrowIfNull(isUpToDate);
        return new CustomRule(name, async context => await isUpToDate(context).ConfigureAwait(false));
    }

    /// <summary>A three-valued predicate, as doit's <c>uptodate</c> callables: true (up to date), false (out of date)
    /// or null (no opinion: the task's other rules and file deps decide; a task with no file deps whose rules all
    /// say null always runs).</summary>
    public static UpToDateRule Custom(string name, Func<UpToDateContext, ValueTask<bool?>> isUpToDate) => new CustomRule(name, isUpToDate);
}

/// <summary>See <see cref="UpToDateRule.RunOnce"/>.</summary>
public sealed record RunOnceRule : UpToDateRule;

/// <summary>See <see cref="UpToDateRule.ConfigChanged"/>.</summary>
/// <param name="Name">A name for messages and for the stored value (the method's name).</param>
/// <param name="Compute">Computes the value.</param>
public sealed record ConfigChangedRule(string Name, Func<IServiceProvider, object?> Compute) : UpToDateRule;

/// <summary>See <see cref="UpToDateRule.ResultDep"/>.</summary>
/// <param name="Task">The task whose result matters.</param>
public sealed record ResultDepRule(string Task) : UpToDateRule;

/// <summary>See <see cref="UpToDateRule.ExpiresAfter"/>.</summary>
/// <param name="Lifetime">How long a success stays valid.</param>
public sealed record ExpiresAfterRule(TimeSpan Lifetime) : UpToDateRule;

/// <summary>See <see cref="UpToDateRule.TimestampUnchanged"/>.</summary>
/// <param name="Path">The watched path.</param>
/// <param name="Kind">Which timestamp.</param>
public sealed record TimestampUnchangedRule(string Path, TimestampKind Kind) : UpToDateRule;

/// <summary>See <see cref="UpToDateRule.Custom(string, Func{UpToDateContext, ValueTask{bool?}})"/>.</summary>
/// <param name="Name">A name for messages (the method's name).</param>
/// <param name="IsUpToDate">The predicate: true, false, or null for no opinion.</param>
public sealed record CustomRule(string Name, Func<UpToDateContext, ValueTask<bool?>> IsUpToDate) : UpToDateRule;
