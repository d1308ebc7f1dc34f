using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrate.UpToDate;

/// <summary>
/// Whether targets exist, answered from one listing of their directory instead of one <c>stat</c> each, for the check
/// of a large plan before anything runs (<see cref="Execution.CheckAhead.CheckAll"/>): a project whose thousands of
/// targets share a few output directories then reads each directory once. A directory is listed once it has been
/// asked about <see cref="Threshold"/> times; until then, and for anything the listing cannot settle (a symbolic link,
/// whose target must exist too; an entry of unknown kind; a path with <c>.</c> or <c>..</c>; an unreadable directory),
/// the answer is "ask <c>stat</c>". The listing is the directory as it was when read, as a <c>stat</c> is the file as
/// it was: it serves while nothing runs.
/// </summary>
internal sealed partial class TargetSnapshot(string projectDirectory) : IDisposable
{
    /// <summary>Questions about one directory before it is listed.</summary>
    public const int Threshold = 64;

    private readonly ConcurrentDictionary<string, DirectoryState> _directories = new(StringComparer.Ordinal);

    // The directory asked about last: most targets of a large plan share a few directories.
    private DirectoryState? _last;

    /// <summary>A descriptor of the project directory that the check's stats look files up from while the snapshot
    /// serves (-1: by path).</summary>
    public int ProjectDescriptor { get; } = UnixStat.OpenDirectory(projectDirectory);

    /// <inheritdoc />
    public void Dispose() => UnixStat.CloseDirectory(ProjectDescriptor);

    /// <summary>True or false when the listing knows; null: <c>stat</c> the target.</summary>
    public bool? Exists(string target)
    {
        var slash = target.LastIndexOf('/');
        if (!IsPlainRelative(target) || slash == target.Length - 1)
        {
            return null;
        }

        var directoryName = slash < 0 ? ReadOnlySpan<char>.Empty : target.AsSpan(0, slash);
        var directory = _last;
        if (directory is null || !directoryName.SequenceEqual(directory.Name))
        {
            var lookup = _directories.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(directoryName, out directory))
            {
                directory = _directories.GetOrAdd(directoryName.ToString(), static (name, root) => new DirectoryState(name, Path.Combine(root, name)), projectDirectory);
            }

            _last = directory;
        }

        // Once listed, the shared count is left alone: both cores asking would fight over its cache line.
        if (!directory.Listed && Interlocked.Increment(ref directory.Questions) < Threshold)
        {
            return null;
        }

        return directory.Listing()?.Contains(target.AsSpan(slash + 1));
    }

    // A relative path with no empty, "." or ".." segment: its directory part names one directory of the project.
    private static bool IsPlainRelative(string path)
    {
        if (path.Length == 0 || path[0] == '/')
        {
            return false;
        }

        // One pass: no NUL, and every segment between slashes neither empty, "." nor "..".
        var segmentStart = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/')
            {
                if (path[i] == '\0')
                {
                    return false;
                }

                continue;
            }

            var length = i - segmentStart;
            if (length == 0 || (path[segmentStart] == '.' && (length == 1 || (length == 2 && path[segmentStart + 1] == '.'))))
            {
                return false;
            }

            segmentStart = i + 1;
        }

        return true;
    }

    private sealed class DirectoryState(string name, string path)
    {
        public int Questions;

        /// <summary>The directory as targets name it, relative to the project.</summary>
        public string Name { get; } = name;
        private int _claimed;
        private Names? _names;
        private volatile bool _listed;

        /// <summary>True once the listing was read (or found unreadable).</summary>
        public bool Listed => _listed;

        /// <summary>The listing; null when it cannot be read, and while another thread reads it: nobody waits for a
        /// listing, the question goes to <c>stat</c> meanwhile.</summary>
        public Names? Listing()
        {
            if (_listed)
            {
                return _names;
            }

            if (Interlocked.Exchange(ref _claimed, 1) != 0)
            {
                return null;
            }

            _names = Names.Read(path);
            _listed = true;
            return _names;
        }
    }

    /// <summary>
    /// The entries of one directory, read with <c>getdents64</c>: their names in UTF-8 in one buffer, found through an
    /// open-addressing table, with whether each is settled (neither a link nor of unknown kind). No string or object
    /// per entry: a directory of 100,000 entries takes ~3 MB, where a set of strings took 20.
    /// </summary>
    internal sealed partial class Names
    {
        private const byte Unknown = 0;
        private const byte Link = 10;

        private byte[] _bytes = new byte[16 * 1024];
        private int _used;
        private int[] _starts = new int[256];
        private ushort[] _lengths = new ushort[256];
        private bool[] _settled = new bool[256];
        private int _count;
        private int[] _table = [];

        /// <summary>True: listed; false: not listed; null: a link or an entry of unknown kind, or a name too long to look
        /// up here (<c>stat</c> it).</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]
        public bool? Contains(ReadOnlySpan<char> name)
        {
            Span<byte> utf8 = stackalloc byte[768];
            if (Encoding.UTF8.GetMaxByteCount(name.Length) > utf8.Length)
            {
                return null;
            }

            utf8 = utf8[..Encoding.UTF8.GetBytes(name, utf8)];
            var mask = _table.Length - 1;
            for (var slot = (int)Hash(utf8) & mask; ; slot = (slot + 1) & mask)
            {
                var entry = _table[slot] - 1;
                if (entry < 0)
                {
                    return false;
                }

                if (_bytes.AsSpan(_starts[entry], _lengths[entry]).SequenceEqual(utf8))
                {
                    return _settled[entry] ? true : null;
                }
            }
        }

        // FNV-1a: names are short, and a directory is not an adversary of its own build.
        private static uint Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = 2166136261u;
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * 16777619u;
            }

            return hash;
        }

        private void Add(ReadOnlySpan<byte> name, bool settled)
        {
            if (_used + name.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + name.Length));
            }

            if (_count == _starts.Length)
            {
                Array.Resize(ref _starts, _count * 2);
                Array.Resize(ref _lengths, _count * 2);
                Array.Resize(ref _settled, _count * 2);
            }

            name.CopyTo(_bytes.AsSpan(_used));
            _starts[_count] = _used;
            _lengths[_count] = (ushort)name.Length;
            _settled[_count] = settled;
            _used += name.Length;
            _count++;
        }

        // The table at most half full, so that probes stay short.
        private void Index()
        {
            _table = new int[Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_count * 2))];
            var mask = _table.Length - 1;
            for (var entry = 0; entry < _count; entry++)
            {
                var slot = (int)Hash(_bytes.AsSpan(_starts[entry], _lengths[entry])) & mask;
                while (_table[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }

                _table[slot] = entry + 1;
            }
        }

        /// <summary>The directory's entries; null where it cannot be read this way (not Linux, not a directory, no access).</summary>
        public static unsafe Names? Read(string directory)
        {
            if (!OperatingSystem.IsLinux() || directory.Contains('\0'))
            {
                return null;
            }

            var descriptor = UnixStat.Open(directory, UnixStat.DirectoryFlag | 0x80000); // O_RDONLY | O_DIRECTORY | O_CLOEXEC
            if (descriptor < 0)
            {
                return null;
            }

            try
            {
                var names = new Names();
                var buffer = new byte[64 * 1024];
                fixed (byte* start = buffer)
                {
                    while (true)
                    {
                        var read = GetDirectoryEntries(descriptor, start, (nuint)buffer.Length);
                        if (read < 0)
                        {
                            return null;
                        }

                        if (read == 0)
                        {
                            names.Index();
                            return names;
                        }

                        // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                        for (nint at = 0; at < read;)
                        {
                            var record = start + at;
                            var length = *(ushort*)(record + 16);
                            var kind = record[18];
                            var name = new ReadOnlySpan<byte>(record + 19, length - 19);
                            name = name[..name.IndexOf((byte)0)];
                            if (name is not [(byte)'.'] and not [(byte)'.', (byte)'.'])
                            {
                                // A name that is not UTF-8 cannot be matched by a target's text: only stat can say.
                                names.Add(name, kind is not (Link or Unknown) && System.Text.Unicode.Utf8.IsValid(name));
                            }

                            at += length;
                        }
                    }
                }
            }
            finally
            {
                UnixStat.Close(descriptor);
            }
        }

        [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
        private static unsafe partial nint GetDirectoryEntries(int descriptor, byte* buffer, nuint size);
    }
}
