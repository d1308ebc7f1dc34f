using System.Globalization;
using System.Text.Json;
using Orchestrate.Planning;

namespace Orchestrate.UpToDate;

/// <summary>Whether a task runs, and why, with what to record if it succeeds.</summary>
/// <param name="Run">True when the task must run.</param>
/// <param name="Reason">Why, in words ("src/a.c changed", "target obj/a.o is missing", "never ran").</param>
/// <param name="Files">Its file deps as they are now, before its action runs: recorded on success.</param>
/// <param name="Values">Its rules' values as they are now: recorded on success.</param>
public sealed record UpToDateDecision(bool Run, string Reason, IReadOnlyList<FileStamp> Files, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>
    /// For a task that is up to date although some of its file deps were touched (a new size or modification time,
    /// the same content, as after a checkout or a <c>touch</c>): its recorded state with their new size and time.
    /// A run records it, so that the next run takes the size-and-time shortcut again instead of reading those files.
    /// </summary>
    public TaskState? Refreshed { get; init; }
}

/// <summary>A task's up-to-date check cannot be made (a missing file dep, a missing watched path): the task fails.</summary>
public class UpToDateCheckException(string message) : Exception(message);

/// <summary>A file dep that does not exist and that no task makes: the task cannot run.</summary>
public sealed class MissingFileDepException(string task, string path)
    : UpToDateCheckException($"file dep '{path}' of task '{task}' does not exist, and no task declares it as a target: create it, or fix the path")
{
    /// <summary>The missing path.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// doit's rules: a task is up to date when it succeeded before, every up-to-date rule holds, all its
/// targets exist, and none of its file deps changed (same set of files, same content). A task with
/// neither file deps nor rules always runs. Dependencies order tasks but do not make them out of date.
/// </summary>
public sealed class UpToDateChecker(StateStore store, string projectDirectory, Func<CancellationToken, ValueTask<IServiceProvider>> services, TimeProvider clock)
{
    /// <summary>A checker with services at hand.</summary>
    public UpToDateChecker(StateStore store, string projectDirectory, IServiceProvider services, TimeProvider clock)
        : this(store, projectDirectory, _ => ValueTask.FromResult(services), clock)
    {
    }

    /// <summary>The reason of a task without file deps or rules, which runs every time (not worth printing).</summary>
    public const string AlwaysRuns = "no file deps or up-to-date rules: always runs";

    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    /// <summary>Decides for one task. <paramref name="always"/> (run --always) runs it whatever the state.</summary>
    /// <exception cref="MissingFileDepException">A file dep is missing.</exception>
    public async ValueTask<UpToDateDecision> CheckAsync(TaskDescriptor task, bool always, CancellationToken cancellationToken)
    {
        // A plain local file task whose files are all as recorded and whose targets exist: answered from the store's
        // bytes. (What an up-to-date decision carries is used only if the task runs, which this one does not; a host
        // node may be made to run by its host's answer, so it takes the full path.)
        if (!always && task.Host is null && task.UpToDate.Count == 0 && task.RemoteTargets.Count == 0 && task.FileDeps.Count > 0
            && store.FilesAsRecorded(task.Name, projectDirectory, Snapshot?.ProjectDescriptor ?? -1, FileStamps.Resolve(projectDirectory, task.FileDeps))
            && TargetsExist(task))
        {
            return UpToDateAsRecorded;
        }

        var hasState = store.TryGet(task.Name, out var state);
        var files = StampFileDeps(task, hasState ? state : null, out var fileReason);
        var values = await RuleValuesAsync(task, cancellationToken).ConfigureAwait(false);

        if (always)
        {
            return new UpToDateDecision(true, "--always", files, values);
        }

        // Remote targets count like targets with a rule: a task that made them once is up to date while they exist.
        if (task.FileDeps.Count == 0 && task.UpToDate.Count == 0 && task.RemoteTargets.Count == 0)
        {
            return new UpToDateDecision(true, AlwaysRuns, files, values);
        }

        if (!hasState)
        {
            return new UpToDateDecision(true, store.LastRunFailed(task.Name) ? "its last run failed" : "never ran", files, values);
        }

        var (ruleReason, opinions) = await BrokenRuleAsync(task, state, values, cancellationToken).ConfigureAwait(false);
        if (ruleReason is not null)
        {
            return new UpToDateDecision(true, ruleReason, files, values);
        }

        // Rules that all said "no opinion" (null) count as no rules: without file deps the task always runs (doit).
        if (opinions == 0 && task.FileDeps.Count == 0 && task.RemoteTargets.Count == 0)
        {
            return new UpToDateDecision(true, AlwaysRuns, files, values);
        }

        foreach (var target in task.Targets)
        {
            if (!TargetExists(target))
            {
                return new UpToDateDecision(true, $"target {target} is missing", files, values);
            }
        }

        fileReason ??= CompareFiles(state.FileDeps, files);
        return fileReason is not null
            ? new UpToDateDecision(true, fileReason, files, values)
            : new UpToDateDecision(false, "up to date", files, values)
            {
                // The files are the recorded list itself unless one of them was read again (see StampFileDeps).
                Refreshed = ReferenceEquals(files, state.FileDeps) ? null : state with { FileDeps = files },
            };
    }

    private static readonly UpToDateDecision UpToDateAsRecorded = new(false, "up to date", [], NoValues);

    private bool TargetsExist(TaskDescriptor task)
    {
        // Indexed: a foreach through IReadOnlyList makes an enumerator object per task.
        var targets = task.Targets;
        for (var t = 0; t < targets.Count; t++)
        {
            if (!TargetExists(targets[t]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// While set, whether targets exist is answered from listings of their directories where that can be done
    /// (<see cref="TargetSnapshot"/>): for the check of a whole plan before anything runs. Cleared before tasks run.
    /// </summary>
    internal TargetSnapshot? Snapshot { get; private set; }

    /// <summary>Starts (true) or ends (false) answering from directory listings: see <see cref="Snapshot"/>.</summary>
    internal void SnapshotTargets(bool on)
    {
        Snapshot?.Dispose();
        Snapshot = on ? new TargetSnapshot(projectDirectory) : null;
    }

    private bool TargetExists(string target) => Snapshot?.Exists(target) ?? UnixStat.Exists(projectDirectory, target);

    private IReadOnlyList<FileStamp> StampFileDeps(TaskDescriptor task, TaskState? state, out string? reason)
    {
        reason = null;
        if (task.FileDeps.Count == 0)
        {
            return [];
        }

        var paths = FileStamps.Resolve(projectDirectory, task.FileDeps);
        var stamps = new FileStamp[paths.Count];
        var unchanged = state is not null && state.FileDeps.Count == paths.Count;
        for (var i = 0; i < paths.Count; i++)
        {
            var previous = state is null ? null : Find(state.FileDeps, paths[i]);
            stamps[i] = FileStamps.Stamp(projectDirectory, paths[i], previous) ?? throw new MissingFileDepException(task.Name, paths[i]);
            unchanged = unchanged && ReferenceEquals(stamps[i], state!.FileDeps[i]);
        }

        // Every file as recorded (the common case of a no-op run): the recorded list serves, and nothing is kept alive twice.
        return unchanged ? state!.FileDeps : stamps;
    }

    private static FileStamp? Find(IReadOnlyList<FileStamp> stamps, string path)
    {
        // Stamps are sorted by path; most tasks have a handful, so a linear scan is as fast as a search.
        foreach (var stamp in stamps)
        {
            if (stamp.Path == path)
            {
                return stamp;
            }
        }

        return null;
    }

    private static string? CompareFiles(IReadOnlyList<FileStamp> before, IReadOnlyList<FileStamp> now)
    {
        // Both lists are sorted by path; the common case, nothing changed, is one pass without allocating.
        if (before.Count == now.Count)
        {
            var same = true;
            for (var i = 0; i < now.Count && same; i++)
            {
                same = before[i].Path == now[i].Path && before[i].Hash == now[i].Hash;
            }

            if (same)
            {
                return null;
            }
        }

        var changes = new List<string>();
        var old = before.ToDictionary(s => s.Path, StringComparer.Ordinal);
        foreach (var stamp in now)
        {
            if (!old.Remove(stamp.Path, out var previous))
            {
                changes.Add($"{stamp.Path} added");
            }
            else if (previous.Hash != stamp.Hash)
            {
                changes.Add($"{stamp.Path} changed");
            }
        }

        changes.AddRange(old.Keys.Order(StringComparer.Ordinal).Select(p => $"{p} removed"));
        return changes.Count switch
        {
            0 => null,
            <= 3 => string.Join(", ", changes),
            _ => $"{string.Join(", ", changes.Take(3))} and {changes.Count - 3} more",
        };
    }

    private async ValueTask<IReadOnlyDictionary<string, string>> RuleValuesAsync(TaskDescriptor task, CancellationToken cancellationToken)
    {
        if (task.UpToDate.Count == 0)
        {
            return NoValues;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in task.UpToDate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (rule)
            {
                case ConfigChangedRule config:
                    var provider = await services(cancellationToken).ConfigureAwait(false);
                    values[$"config:{config.Name}"] = FileStamps.HashText(ToJson(config.Compute(provider)));
                    break;
                case ResultDepRule resultDep:
                    values[$"result:{resultDep.Task}"] = store.TryGet(resultDep.Task, out var other) ? FileStamps.HashText(other.Result ?? "null") : "none";
                    break;
                case TimestampUnchangedRule timestamp:
                    values[$"timestamp:{timestamp.Kind}:{timestamp.Path}"] = Timestamp(task, timestamp);
                    break;
            }
        }

        return values;
    }

    // The first rule that says the task is out of date, and how many rules had an opinion (a custom rule may say null).
    private async ValueTask<(string? Reason, int Opinions)> BrokenRuleAsync(
        TaskDescriptor task, TaskState state, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        var opinions = 0;
        foreach (var rule in task.UpToDate)
        {
            opinions += rule is CustomRule ? 0 : 1;
            switch (rule)
            {
                case RunOnceRule:
                    break; // it ran before: that is all run-once asks
                case ConfigChangedRule config when Changed(state, values, $"config:{config.Name}"):
                    return ($"config {config.Name} changed", opinions);
                case ResultDepRule resultDep when Changed(state, values, $"result:{resultDep.Task}"):
                    return ($"result of {resultDep.Task} changed", opinions);
                case TimestampUnchangedRule timestamp when Changed(state, values, $"timestamp:{timestamp.Kind}:{timestamp.Path}"):
                    return ($"{timestamp.Kind.ToString().ToLowerInvariant()} time of {timestamp.Path} changed", opinions);
                case ExpiresAfterRule expires when clock.GetUtcNow() - state.SucceededAt >= expires.Lifetime:
                    return ($"expired: last success {Ago(clock.GetUtcNow() - state.SucceededAt)} ago, expires after {Ago(expires.Lifetime)}", opinions);
                case CustomRule custom:
                    var context = new UpToDateContext(task.Name, projectDirectory, state.SucceededAt, await services(cancellationToken).ConfigureAwait(false), cancellationToken);
                    switch (await custom.IsUpToDate(context).ConfigureAwait(false))
                    {
                        case false:
                            return ($"{custom.Name} says it is out of date", opinions + 1);
                        case true:
                            opinions++;
                            break;
                    }

                    break;
            }
        }

        return (null, opinions);
    }

    private static bool Changed(TaskState state, IReadOnlyDictionary<string, string> now, string key) =>
        !state.Values.TryGetValue(key, out var before) || !now.TryGetValue(key, out var current) || before != current;

    private string Timestamp(TaskDescriptor task, TimestampUnchangedRule rule)
    {
        var path = Path.Combine(projectDirectory, rule.Path);
        if (!Path.Exists(path))
        {
            // As doit's check_timestamp_unchanged: a watched path that does not exist is the task's error, not a change.
            throw new UpToDateCheckException(
                $"task '{task.Name}' watches the timestamp of '{rule.Path}' ([TimestampUnchanged]), which does not exist: create it, or fix the path");
        }

        var time = rule.Kind switch
        {
            TimestampKind.Accessed => File.GetLastAccessTimeUtc(path),
            TimestampKind.Changed => ChangeTime(path),
            _ => File.GetLastWriteTimeUtc(path),
        };
        return time.Ticks.ToString(CultureInfo.InvariantCulture);
    }

    private static DateTime ChangeTime(string path) => UnixStat.ChangeTimeUtc(path);

    private static string ToJson(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        _ => JsonSerializer.Serialize(value, value.GetType()),
    };

    private static string Ago(TimeSpan span) => span.TotalDays >= 1
        ? $"{span.TotalDays:0.#} d"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";
}
