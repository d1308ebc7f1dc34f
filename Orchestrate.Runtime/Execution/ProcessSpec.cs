namespace Orchestrate.Execution;

/// <summary>A process to start: a program and its arguments, passed without a shell.</summary>
/// <param name="FileName">The program.</param>
/// <param name="Arguments">Its arguments, each passed as one argv entry.</param>
/// <param name="DisplayCommand">The command as shown to the user in messages.</param>
/// <param name="WorkingDirectory">Absolute working directory.</param>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, string DisplayCommand, string WorkingDirectory)
{
    /// <summary>Variables added to, or (null value) removed from, the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Text written to standard input before it is closed. Null: standard input is closed at once.</summary>
    public string? StandardInput { get; init; }

    /// <summary>The process and its children are killed past this time.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A spec for an argv, without a shell.</summary>
    public static ProcessSpec ForArgv(IReadOnlyList<string> argv, string workingDirectory)
    {
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
        {
            throw new ArgumentException("a command needs at least a program name", nameof(argv));
        }

        // A program given as a relative path (out/bin/tool) is found from the working directory, as a shell
        // would; a bare name (gcc) is looked up on PATH.
        var program = argv[0].Contains('/') ? Path.GetFullPath(argv[0], workingDirectory) : argv[0];
        return new ProcessSpec(program, argv.Skip(1).ToArray(), ShellQuoting.Join(argv), workingDirectory);
    }

    /// <summary>A spec for a command line run by <c>/bin/sh -c</c>.</summary>
    public static ProcessSpec ForShell(string command, string workingDirectory) =>
        new("/bin/sh", ["-c", command], command, workingDirectory);
}
