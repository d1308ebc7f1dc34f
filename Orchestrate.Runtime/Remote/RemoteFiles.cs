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
    public static IReadOnlyList<ShipFile> Resolve(string projectDirectory, string local, string remoteDirectory)
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

            var name = root.Length == 0 ? path : Path.GetRelativePath(root, path).Replace('\\', '/');
            files.Add(new ShipFile(full, name, remoteDirectory, HashFile(full)));
        }

        return files;
    }

    /// <summary>The shipped files whose remote copy is missing or differs, and the remote targets that are missing: one round trip.</summary>
    public static async Task<(IReadOnlyList<ShipFile> Stale, IReadOnlyList<string> MissingTargets)> CheckAsync(
        IRemoteConnection connection, IReadOnlyList<ShipFile> files, IReadOnlyList<string> remoteTargets, CancellationToken cancellationToken)
    {
        if (files.Count == 0 && remoteTargets.Count == 0)
        {
            return ([], []);
        }

        var script = new StringBuilder();
        foreach (var file in files)
        {
            var path = RemotePath(file);
            script.Append("printf 'H %s\\n' \"$(sha256sum < ").Append(ShellQuoting.Quote(path)).Append(" 2>/dev/null | cut -c1-64)\"; ");
        }

        foreach (var target in remoteTargets)
        {
            script.Append("if test -e ").Append(ShellQuoting.Quote(target)).Append("; then echo T1; else echo T0; fi; ");
        }

        script.Append("true");
        var result = await connection.RunAsync(new RemoteCommand(script.ToString()), null, cancellationToken).ConfigureAwait(false);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var hashes = lines.Where(l => l.StartsWith("H ", StringComparison.Ordinal) || l == "H").Select(l => l.Length > 2 ? l[2..].Trim() : "").ToArray();
        var exists = lines.Where(l => l is "T0" or "T1").ToArray();
        if (hashes.Length != files.Count || exists.Length != remoteTargets.Count)
        {
            throw new InvalidOperationException($"unexpected answer from {connection.Host.Name} while checking remote files: {result.StdOut.Trim()} {result.StdErr.Trim()}");
        }

        var stale = files.Where((f, i) => !string.Equals(hashes[i], f.Hash, StringComparison.OrdinalIgnoreCase)).ToList();
        var missing = remoteTargets.Where((t, i) => exists[i] == "T0").ToList();
        return (stale, missing);
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

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
