namespace Orchestrate.Remote.Inventory;

/// <summary>
/// A small reader for the block-style YAML that inventories are written in: indented mappings and sequences of plain,
/// single-quoted and double-quoted one-line scalars, with comments. It exists because YamlDotNet's start-up cost (it
/// compiles regular expressions in its static constructors) is paid on every run of a fleet tool, while an inventory
/// almost never uses more of YAML than this.
/// </summary>
/// <remarks>
/// The reader builds exactly the tree that <see cref="InventoryDocument.FromYamlDotNet"/> would build, locations
/// included. Whenever the text holds anything it does not fully understand (anchors, tags, flow collections, block or
/// multi-line scalars, tabs, a second document, duplicate keys, anything malformed) it gives up and the caller reads the
/// text with YamlDotNet, so that every error message and every rarer feature stays exactly as YamlDotNet has it. It never
/// throws.
/// </remarks>
internal static class SimpleYaml
{
    /// <summary>Deeper documents are left to YamlDotNet rather than risking a deep recursion here.</summary>
    private const int MaxDepth = 64;

    /// <summary>YamlDotNet stops treating a plain key as a key after 1024 characters; stay well below that.</summary>
    private const int MaxKeyLength = 1000;

    /// <summary>
    /// Reads <paramref name="text"/> into <paramref name="root"/> (null for a document with nothing but comments);
    /// false when the text uses anything outside the subset, in which case <paramref name="root"/> means nothing.
    /// </summary>
    public static bool TryRead(string text, string file, out InventoryNode? root)
    {
        root = null;
        var reader = new Reader(text, file);
        return reader.Split() && reader.ReadDocument(out root);
    }

    /// <summary>One non-blank, non-comment line: its 1-based number, where it starts and ends in the text (without the line break) and how many spaces indent it.</summary>
    private readonly record struct Line(int Number, int Start, int End, int Indent);

    /// <summary>The reading state: the content lines and which of them is next. Each Read method returns null to give up.</summary>
    /// <remarks>The lines are kept in a plain array: a <c>List</c> of a struct would be compiled at run time, not ahead of time.</remarks>
    private sealed class Reader(string text, string file)
    {
        private readonly Line[] _lines = new Line[CountBreaks(text) + 1];
        private int _count;
        private int _at;

        /// <summary>Cuts the text into content lines; false for characters YamlDotNet could treat differently (tabs, other line breaks, control characters, surrogates, a byte order mark) and for document markers after the first line.</summary>
        public bool Split()
        {
            var number = 0;
            for (var start = 0; start < text.Length;)
            {
                number++;
                var end = text.IndexOf('\n', start);
                var next = end < 0 ? text.Length : end + 1;
                end = end < 0 ? text.Length : end;
                if (end > start && text[end - 1] == '\r')
                {
                    end--;
                }

                var indent = 0;
                while (start + indent < end && text[start + indent] == ' ')
                {
                    indent++;
                }

                for (var i = start + indent; i < end; i++)
                {
                    if (!IsPlainCharacter(text[i]))
                    {
                        return false;
                    }
                }

                if (start + indent < end && text[start + indent] != '#')
                {
                    if (indent == 0 && (StartsMarker(start, end, "---") || StartsMarker(start, end, "...")))
                    {
                        // Only a leading '---' (alone or with a comment) is read here; anything else about documents is YamlDotNet's.
                        if (_count > 0 || !StartsMarker(start, end, "---") || !RestIsComment(start + 3, end))
                        {
                            return false;
                        }

                        _at = 1;
                    }

                    _lines[_count++] = new Line(number, start, end, indent);
                }

                start = next;
            }

            return true;
        }

        /// <summary>Reads the one node of the document, which must use up every content line.</summary>
        public bool ReadDocument(out InventoryNode? root)
        {
            root = null;
            if (_count == 0)
            {
                return true;
            }

            if (_at >= _count)
            {
                // A '---' with nothing after it is a document holding a null; rare enough to leave to YamlDotNet.
                return false;
            }

            var node = ReadBlock(0);
            if (node is null || _at != _count)
            {
                return false;
            }

            root = node;
            return true;
        }

        /// <summary>The mapping or sequence that starts the current line, at its indentation.</summary>
        private InventoryNode? ReadBlock(int depth)
        {
            var line = _lines[_at];
            var start = line.Start + line.Indent;
            return IsEntry(line, start) ? ReadSequence(line.Indent, depth) : ReadMapping(line.Indent, start, depth);
        }

        /// <summary>A block mapping whose keys are at <paramref name="column"/>; its first key is at <paramref name="start"/> of the current line (after a '- ' when it is a sequence item).</summary>
        private MapNode? ReadMapping(int column, int start, int depth)
        {
            if (depth > MaxDepth)
            {
                return null;
            }

            var line = _lines[_at];
            var map = new MapNode { Location = Location(line, start) };
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                // A duplicate key is an error, and '<<' a merge: both are YamlDotNet's to handle.
                if (!ReadKey(line, start, out var key, out var afterColon) || !keys.Add(key))
                {
                    return null;
                }

                var value = ReadValue(line, afterColon, column, inMapping: true, depth);
                if (value is null)
                {
                    return null;
                }

                map.Entries.Add(new MapEntry(key, Location(line, start), value));
                if (_at == _count || _lines[_at].Indent < column)
                {
                    return map;
                }

                line = _lines[_at];
                if (line.Indent > column)
                {
                    return null;
                }

                start = line.Start + column;
            }
        }

        /// <summary>A block sequence whose '-' indicators are at <paramref name="column"/>, starting on the current line.</summary>
        private SequenceNode? ReadSequence(int column, int depth)
        {
            if (depth > MaxDepth)
            {
                return null;
            }

            var line = _lines[_at];
            var sequence = new SequenceNode { Location = Location(line, line.Start + column) };
            while (true)
            {
                var item = ReadValue(line, line.Start + column + 1, column, inMapping: false, depth);
                if (item is null)
                {
                    return null;
                }

                sequence.Items.Add(item);
                if (_at == _count || _lines[_at].Indent < column)
                {
                    return sequence;
                }

                line = _lines[_at];
                if (line.Indent > column)
                {
                    return null;
                }

                if (!IsEntry(line, line.Start + column))
                {
                    // A key at the same column ends a sequence written without indentation under its key.
                    return sequence;
                }
            }
        }

        /// <summary>
        /// What follows a key's ':' or an item's '-' at <paramref name="start"/>: a scalar on the same line, a mapping
        /// on the same line (sequence items only), a block on the deeper lines that follow, or else a null written as nothing.
        /// </summary>
        private InventoryNode? ReadValue(Line line, int start, int column, bool inMapping, int depth)
        {
            var at = SkipSpaces(start, line.End);
            if (at < line.End && text[at] != '#')
            {
                if (!inMapping && ReadKey(line, at, out _, out _))
                {
                    return ReadMapping(at - line.Start, at, depth + 1);
                }

                _at++;
                return ReadScalar(line, at);
            }

            _at++;
            if (_at < _count)
            {
                var next = _lines[_at];
                if (next.Indent > column)
                {
                    return ReadBlock(depth + 1);
                }

                if (inMapping && next.Indent == column && IsEntry(next, next.Start + column))
                {
                    return ReadSequence(column, depth + 1);
                }
            }

            // YamlDotNet places an empty value just after its indicator.
            return new ScalarNode { Location = Location(line, start), Value = null };
        }

        /// <summary>A key (plain or quoted) at <paramref name="start"/> followed by ':' and a space or the end of the line.</summary>
        private bool ReadKey(Line line, int start, out string key, out int afterColon)
        {
            key = string.Empty;
            afterColon = 0;
            var at = start;
            if (text[start] is '"' or '\'')
            {
                if (!ReadQuoted(line, start, out var quoted, out at))
                {
                    return false;
                }

                key = quoted;
                at = SkipSpaces(at, line.End);
            }
            else
            {
                if (!CanStartPlain(start, line.End))
                {
                    return false;
                }

                while (at < line.End && !IsColonIndicator(at, line.End))
                {
                    // ' #' starts a comment; after ' *' YamlDotNet reads a ':' as part of an alias-like word ('a *b: c' is one scalar).
                    if (text[at] is '#' or '*' && text[at - 1] == ' ')
                    {
                        return false;
                    }

                    at++;
                }

                key = text[start..at].TrimEnd(' ');
                if (key == "<<")
                {
                    return false;
                }
            }

            if (!IsColonIndicator(at, line.End) || at - start > MaxKeyLength)
            {
                return false;
            }

            afterColon = at + 1;
            return true;
        }

        /// <summary>A scalar that takes the rest of the line, up to an optional comment.</summary>
        private ScalarNode? ReadScalar(Line line, int start)
        {
            var location = Location(line, start);
            if (text[start] is '"' or '\'')
            {
                if (!ReadQuoted(line, start, out var quoted, out var after))
                {
                    return null;
                }

                // After the closing quote: nothing, or a comment after at least one space.
                var rest = SkipSpaces(after, line.End);
                if (rest < line.End && (rest == after || text[rest] != '#'))
                {
                    return null;
                }

                return new ScalarNode { Location = location, Value = quoted, Quoted = true };
            }

            if (!CanStartPlain(start, line.End))
            {
                return null;
            }

            var end = start;
            while (end < line.End && !(text[end] == '#' && text[end - 1] == ' '))
            {
                if (IsColonIndicator(end, line.End))
                {
                    // 'a: b: c' is an error in YAML; let YamlDotNet say so.
                    return null;
                }

                end++;
            }

            var value = text[start..end].TrimEnd(' ');
            var isNull = value is "~" or "null" or "Null" or "NULL";
            return new ScalarNode { Location = location, Value = isNull ? null : value };
        }

        /// <summary>A single- or double-quoted scalar that closes on the same line; false for a multi-line one or an escape not known here.</summary>
        private bool ReadQuoted(Line line, int start, out string value, out int after)
        {
            var quote = text[start];
            var builder = new System.Text.StringBuilder();
            value = string.Empty;
            after = 0;
            for (var at = start + 1; at < line.End; at++)
            {
                var c = text[at];
                if (c == quote)
                {
                    if (quote == '\'' && at + 1 < line.End && text[at + 1] == '\'')
                    {
                        builder.Append('\'');
                        at++;
                        continue;
                    }

                    value = builder.ToString();
                    after = at + 1;
                    return true;
                }

                if (quote == '"' && c == '\\')
                {
                    if (at + 1 >= line.End || !Unescape(line, ref at, builder))
                    {
                        return false;
                    }

                    continue;
                }

                builder.Append(c);
            }

            return false;
        }

        /// <summary>Appends the escape whose backslash is at <paramref name="at"/> and moves <paramref name="at"/> to its last character.</summary>
        private bool Unescape(Line line, ref int at, System.Text.StringBuilder builder)
        {
            var code = text[at + 1];
            var digits = code switch { 'x' => 2, 'u' => 4, _ => 0 };
            if (digits > 0)
            {
                if (at + 2 + digits > line.End
                    || !int.TryParse(text.AsSpan(at + 2, digits), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var hex)
                    || hex is >= 0xD800 and <= 0xDFFF)
                {
                    return false;
                }

                builder.Append((char)hex);
                at += 1 + digits;
                return true;
            }

            char? single = code switch
            {
                '0' => '\0', 'a' => '\a', 'b' => '\b', 't' => '\t', 'n' => '\n', 'v' => '\v', 'f' => '\f', 'r' => '\r',
                'e' => '\x1b', ' ' => ' ', '"' => '"', '/' => '/', '\\' => '\\', 'N' => '\x85', '_' => '\xa0',
                'L' => '\u2028', 'P' => '\u2029', _ => null,
            };
            if (single is null)
            {
                return false;
            }

            builder.Append(single.Value);
            at++;
            return true;
        }

        /// <summary>Whether a plain scalar may start at <paramref name="at"/>: not an indicator, except '-' before a non-space ('-o ProxyJump=...').</summary>
        private bool CanStartPlain(int at, int end) =>
            text[at] == '-'
                ? at + 1 < end && text[at + 1] != ' '
                : !"?:,[]{}#&*!|>'\"%@`".Contains(text[at]);

        /// <summary>A '-' followed by a space or the end of the line: a sequence item.</summary>
        private bool IsEntry(Line line, int at) => text[at] == '-' && (at + 1 == line.End || text[at + 1] == ' ');

        /// <summary>A ':' followed by a space or the end of the line: the end of a key.</summary>
        private bool IsColonIndicator(int at, int end) => at < end && text[at] == ':' && (at + 1 == end || text[at + 1] == ' ');

        private bool StartsMarker(int start, int end, string marker) =>
            text.AsSpan(start, end - start).StartsWith(marker, StringComparison.Ordinal) && (start + 3 == end || text[start + 3] == ' ');

        private bool RestIsComment(int start, int end)
        {
            var at = SkipSpaces(start, end);
            return at == end || text[at] == '#';
        }

        private static int CountBreaks(string text)
        {
            var breaks = 0;
            foreach (var c in text)
            {
                breaks += c == '\n' ? 1 : 0;
            }

            return breaks;
        }

        private int SkipSpaces(int at, int end)
        {
            while (at < end && text[at] == ' ')
            {
                at++;
            }

            return at;
        }

        /// <summary><c>file:line:column</c> with YamlDotNet's 1-based line and column (columns count UTF-16 characters, and surrogates never get here).</summary>
        private string Location(Line line, int at) =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{file}:{line.Number}:{at - line.Start + 1}");

        /// <summary>Characters that YamlDotNet reads as ordinary text: printable ASCII and the rest of the Basic Multilingual Plane, without its line and paragraph separators and the byte order mark.</summary>
        private static bool IsPlainCharacter(char c) =>
            c is (>= ' ' and <= '~') or (>= '\xa0' and <= '\ud7ff') or (>= '\ue000' and <= '\ufffd')
            && c is not ('\u2028' or '\u2029' or '\ufeff');
    }
}
