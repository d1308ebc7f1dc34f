using System.Security.Cryptography;
using System.Text;
using Orchestrate.Execution;
using Orchestrate.Planning;
using Orchestrate.UpToDate;

namespace Orchestrate.Remote;

/// <summary>
/// Shipping files to a host and checking what is already there: the remote copies are compared by
/// SHA-256 computed on the host, for all the files of a step in one round trip, and only the files that
/// differ go, all in one stream.
/// </summary>
internal static class RemoteFiles
{
    /// <summary>A local file to ship and the name it gets under the remote directory.</summary>
    internal sealed record ShipFile(string LocalPath, string RemoteName, string RemoteDirectory, string Hash);

    /// <summary>The files a ship spec stands for on a host (globs expanded), with their hashes.</summary>
    public static IReadOnlyList<ShipFile> Resolve(string projectDirectory, string local, string remoteDirectory, LocalHashes hashes)
    {
        var paths = FileStamps.Resolve(projectDirectory, [local]);
        // Names under the remote directory keep the path below the pattern's fixed folder.
        var normalized = PathNames.Normalize(local);
        var segments = normalized.Split('/');
        var fixedCount = 0;
        while (fixedCount < segments.Length - 1 && !Glob.IsPattern(segments[fixedCount]))
        {
            fixedCount++;
        }

        var root = string.Join('/', segments.Take(fixedCount));
        var files = new List<ShipFile>(paths.Count);
        foreach (var path in paths)
        {
            var full = Path.Combine(projectDirectory, path);
            if (!File.Exists(full))
            {
                throw new MissingFileDepException("ship", path);
            }

            var name = root.Length == 0 ? path : Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            files.Add(new ShipFile(full, name, remoteDirectory, hashes.Of(full)));
        }

        return files;
    }

    /// <summary>The state value recording a shipped file's remote copy: its size, modification time and inode
    /// as the host reported them right after it was shipped (or found identical), and its content hash.</summary>
    public static string StampKey(ShipFile file) => $"remote:{file.RemoteDirectory.TrimEnd('/')}/{file.RemoteName}";

    /// <summary>
    /// The shipped files whose remote copy is missing or differs, and the remote targets that are missing.
    /// With the stamps recorded at the last success, a copy whose size, time and inode did not change is
    /// taken as unchanged without reading it (the host's answer to one <c>stat</c> per directory); only the
    /// others are hashed on the host. Without stamps, every copy is hashed. One round trip, two at most.
    /// </summary>
    public static async Task<(IReadOnlyList<ShipFile> Stale, IReadOnlyList<string> MissingTargets)> CheckAsync(
        IRemoteConnection connection, IReadOnlyList<ShipFile> files, IReadOnlyList<string> remoteTargets, IReadOnlyDictionary<string, string>? recorded, CancellationToken cancellationToken)
    {
        if (files.Count == 0 && remoteTargets.Count == 0)
        {
            return ([], []);
        }

        if (recorded is not null && files.Count > 0 && files.All(f => recorded.ContainsKey(StampKey(f))))
        {
            var (stamps, missingTargets) = await StatAsync(connection, files, remoteTargets, cancellationToken).ConfigureAwait(false);
            var outdated = new List<ShipFile>();
            var suspects = new List<ShipFile>();
            foreach (var file in files)
            {
                var before = recorded[StampKey(file)];
                if (!before.EndsWith(" " + file.Hash, StringComparison.Ordinal))
                {
                    outdated.Add(file); // the local file changed since: the remote copy is the old one
                }
                else if (!stamps.TryGetValue(StampKey(file), out var now) || before != $"{now} {file.Hash}")
                {
                    suspects.Add(file); // touched on the host: compare contents
                }
            }

            if (suspects.Count > 0)
            {
                var (changed, _) = await CheckAsync(connection, suspects, [], null, cancellationToken).ConfigureAwait(false);
                outdated.AddRange(changed);
            }

            return (outdated, missingTargets);
        }

        // One sha256sum per remote directory for all its files (a missing file is simply absent from
        // the answer), then one existence test per remote target, all in one command.
        var remoteHashes = new Dictionary<(string Directory, string Name), string>();
        var missing = await QueryAsync(connection, files, remoteTargets, "sha256sum --", (directory, line) =>
        {
            if (ParseSum(line) is { } sum)
            {
                remoteHashes[(directory, sum.Name)] = sum.Hash;
            }
        }, cancellationToken).ConfigureAwait(false);
        var stale = files.Where(f => !remoteHashes.TryGetValue((f.RemoteDirectory, f.RemoteName), out var hash) || !string.Equals(hash, f.Hash, StringComparison.OrdinalIgnoreCase)).ToList();
        return (stale, missing);
    }

    // "hash  name", or "\hash  name" with \\ and \n escaped in the name (GNU coreutils' form for odd names).
    private static (string Hash, string Name)? ParseSum(string line)
    {
        var escaped = line.StartsWith('\\');
        var text = escaped ? line[1..] : line;
        if (text.Length < 66 || text[64] != ' ')
        {
            return null;
        }

        var name = text[66..];
        if (escaped)
        {
            name = name.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        return (text[..64], name);
    }

    /// <summary>The SHA-256 of one file on the host; null when it does not exist.</summary>
    public static async Task<string?> HashAsync(IRemoteConnection connection, string remotePath, CancellationToken cancellationToken)
    {
        var result = await connection.RunAsync(
            new RemoteCommand($"sha256sum -- {Execution.ShellQuoting.Quote(remotePath)} 2>/dev/null || true"),
            null,
            cancellationToken).ConfigureAwait(false);
        var line = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return line is not null && ParseSum(line) is { } sum ? sum.Hash.ToLowerInvariant() : null;
    }

    /// <summary>The state value recording a fetched file's content.</summary>
    public static string FetchKey(string remotePath) => $"fetched:{remotePath}";

    /// <summary>The remote copies' stamps (size, time, inode) after a ship, to record with the task's success.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> StampsAsync(IRemoteConnection connection, IReadOnlyList<ShipFile> files, CancellationToken cancellationToken)
    {
        var (stamps, _) = await StatAsync(connection, files, [], cancellationToken).ConfigureAwait(false);
        return files.Where(f => stamps.ContainsKey(StampKey(f))).ToDictionary(StampKey, f => $"{stamps[StampKey(f)]} {f.Hash}");
    }

    // One stat per remote directory: "size mtime inode name" per file that exists; then the targets' existence.
    private static async Task<(Dictionary<string, string> Stamps, IReadOnlyList<string> MissingTargets)> StatAsync(
        IRemoteConnection connection, IReadOnlyList<ShipFile> files, IReadOnlyList<string> remoteTargets, CancellationToken cancellationToken)
    {
        var stamps = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = await QueryAsync(connection, files, remoteTargets, "stat -c '%s %Y %i %n' --", (directory, line) =>
        {
            if (line.Split(' ', 4) is [var size, var time, var inode, var name])
            {
                stamps[$"remote:{directory.TrimEnd('/')}/{name}"] = $"{size} {time} {inode}";
            }
        }, cancellationToken).ConfigureAwait(false);
        return (stamps, missing);
    }

    /// <summary>
    /// One command for a whole check: per remote directory, <paramref name="perDirectory"/> (a command taking
    /// file names) over its files, each answer line handed to <paramref name="onLine"/> with its directory;
    /// then an existence test per remote target. Returns the missing targets.
    /// </summary>
    private static async Task<IReadOnlyList<string>> QueryAsync(
        IRemoteConnection connection, IReadOnlyList<ShipFile> files, IReadOnlyList<string> remoteTargets, string perDirectory, Action<string, string> onLine, CancellationToken cancellationToken)
    {
        var script = new StringBuilder();
        var directories = files.GroupBy(f => f.RemoteDirectory).ToList();
        for (var d = 0; d < directories.Count; d++)
        {
            script.Append("echo D").Append(d).Append("; (cd -- ").Append(ShellQuoting.Quote(directories[d].Key)).Append(" 2>/dev/null && ").Append(perDirectory);
            foreach (var file in directories[d])
            {
                script.Append(' ').Append(ShellQuoting.Quote(file.RemoteName));
            }

            script.Append(" 2>/dev/null); ");
        }

        script.Append("echo T; ");
        foreach (var target in remoteTargets)
        {
            script.Append("if test -e ").Append(ShellQuoting.Quote(target)).Append("; then echo T1; else echo T0; fi; ");
        }

        script.Append("true");
        var result = await connection.RunAsync(new RemoteCommand(script.ToString()), null, cancellationToken).ConfigureAwait(false);
        var exists = new List<string>();
        var directory = -1;
        var inTargets = false;
        foreach (var line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line is "T")
            {
                inTargets = true;
            }
            else if (inTargets)
            {
                exists.Add(line);
            }
            else if (line.Length > 1 && line[0] == 'D' && int.TryParse(line.AsSpan(1), out var index))
            {
                directory = index;
            }
            else if (directory >= 0)
            {
                onLine(directories[directory].Key, line);
            }
        }

        if (exists.Count != remoteTargets.Count)
        {
            throw new InvalidOperationException($"unexpected answer from {connection.Host.Name} while checking remote files: {result.StdOut.Trim()} {result.StdErr.Trim()}");
        }

        return remoteTargets.Where((t, i) => exists[i] == "T0").ToList();
    }

    /// <summary>Sends the files, grouped by remote directory, one stream per directory.</summary>
    public static async Task SendAsync(IRemoteConnection connection, IReadOnlyList<ShipFile> files, CancellationToken cancellationToken)
    {
        foreach (var group in files.GroupBy(f => f.RemoteDirectory))
        {
            await connection.UploadAsync(group.Select(f => new UploadItem(f.LocalPath, f.RemoteName)).ToList(), group.Key, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string RemotePath(ShipFile file) => file.RemoteDirectory.TrimEnd('/') + "/" + file.RemoteName;

    /// <summary>SHA-256 of local files for one run: a file shipped to twenty hosts is hashed once
    /// (keyed by path, size and modification time). A file whose size and time are those recorded at the node's last
    /// success is not read at all: its recorded hash is taken (the timestamp shortcut of file deps).</summary>
    internal sealed class LocalHashes
    {
        private const string Prefix = "local:";
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, long Size, long Ticks), string> _hashes = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Size, long Ticks, string Hash)> _seen = new(StringComparer.Ordinal);

        /// <summary>Takes the hashes a node recorded (<see cref="Records"/>) as known.</summary>
        public void Prime(string projectDirectory, IReadOnlyDictionary<string, string>? recorded)
        {
            foreach (var (key, value) in recorded ?? new Dictionary<string, string>())
            {
                if (key.StartsWith(Prefix, StringComparison.Ordinal) && value.Split(' ') is [var size, var ticks, var hash]
                    && long.TryParse(size, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
                    && long.TryParse(ticks, System.Globalization.CultureInfo.InvariantCulture, out var time))
                {
                    _hashes.TryAdd((Path.Combine(projectDirectory, key[Prefix.Length..]), bytes, time), hash);
                }
            }
        }

        /// <summary>What to record for the shipped files, for <see cref="Prime"/> next time: each file's size and time as
        /// they were when it was hashed (a file edited since is hashed again next time).</summary>
        public IEnumerable<KeyValuePair<string, string>> Records(string projectDirectory, IEnumerable<ShipFile> files)
        {
            foreach (var file in files)
            {
                if (_seen.TryGetValue(file.LocalPath, out var seen) && seen.Hash == file.Hash)
                {
                    yield return new(Prefix + Path.GetRelativePath(projectDirectory, file.LocalPath).Replace(Path.DirectorySeparatorChar, '/'),
                        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{seen.Size} {seen.Ticks} {seen.Hash}"));
                }
            }
        }

        public string Of(string path)
        {
            var info = new FileInfo(path);
            var key = (path, info.Length, info.LastWriteTimeUtc.Ticks);
            var hash = _hashes.GetOrAdd(key, static file =>
            {
                using var stream = File.OpenRead(file.Path);
                return Convert.ToHexStringLower(SHA256.HashData(stream));
            });
            _seen[path] = (key.Length, key.Ticks, hash);
            return hash;
        }
    }
}
