namespace Orchestrate.Hosting;

/// <summary>Run defaults read from configuration (section <c>Orchestrate</c> of appsettings.json, or
/// environment variables such as <c>Orchestrate__Jobs</c>); the command line overrides them.</summary>
public sealed class OrchestrateOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Orchestrate";

    /// <summary>Tasks running at once; 0 means the processor count.</summary>
    public int Jobs { get; set; }

    /// <summary>Hosts in flight at once; 0 means 50.</summary>
    public int Forks { get; set; }

    /// <summary>Go on after a failure with everything it does not block.</summary>
    public bool KeepGoing { get; set; }

    /// <summary>Whether tasks that do not say are critical (a failure aborts the run).</summary>
    public bool Critical { get; set; }

    /// <summary>Seconds each host's master connection stays open after a run, for the next run to reuse (OpenSSH's
    /// ControlPersist, as Ansible uses it); 0, the default, closes every connection at the end of the run.</summary>
    public int Persist { get; set; }

    /// <summary>Resource limits by name, overriding the ones tasks declare.</summary>
    public Dictionary<string, int> Resources { get; set; } = new(StringComparer.Ordinal);
}
