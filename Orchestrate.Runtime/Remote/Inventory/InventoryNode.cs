using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestrate.Remote.Inventory;

/// <summary>A node of an inventory document, whatever its source, with where it was written.</summary>
internal abstract class InventoryNode
{
    /// <summary>Where the node is, ready to start a message: <c>file:line:column</c> or a configuration key path.</summary>
    public required string Location { get; init; }
}

/// <summary>A single value; <see cref="Value"/> is null for a null (or empty configuration) value.</summary>
internal sealed class ScalarNode : InventoryNode
{
    public string? Value { get; init; }

    /// <summary>Written as a string (quoted), so never a number, boolean or null.</summary>
    public bool Quoted { get; init; }

    /// <summary>Written as a JSON number or boolean: a value, not text (YAML's plain scalars are text).</summary>
    public bool NotText { get; init; }
}

/// <summary>A mapping, in the order written.</summary>
internal sealed class MapNode : InventoryNode
{
    public List<MapEntry> Entries { get; } = [];
}

/// <summary>One key and value of a mapping.</summary>
internal sealed record MapEntry(string Key, string KeyLocation, InventoryNode Value);

/// <summary>A sequence.</summary>
internal sealed class SequenceNode : InventoryNode
{
    public List<InventoryNode> Items { get; } = [];
}

/// <summary>Reads YAML, JSON and configuration into <see cref="InventoryNode"/> trees.</summary>
internal static partial class InventoryDocument
{
    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMarkPrefix();

    [GeneratedRegex(@"\s*(LineNumber|Path): .*$")]
    private static partial Regex JsonPositionSuffix();

    /// <summary>A configuration section as a tree; keys keep the configuration's order.</summary>
    public static InventoryNode FromConfiguration(IConfiguration configuration, string source)
    {
        var path = configuration is IConfigurationSection section ? section.Path : string.Empty;
        return FromConfiguration(configuration, path, source);
    }

    private static InventoryNode FromConfiguration(IConfiguration configuration, string path, string source)
    {
        var location = ConfigurationLocation(path, source);
        var children = configuration.GetChildren().ToList();
        if (children.Count == 0)
        {
            var value = (configuration as IConfigurationSection)?.Value;
            return new ScalarNode { Location = location, Value = string.IsNullOrEmpty(value) ? null : value };
        }

        var map = new MapNode { Location = location };
        foreach (var child in children)
        {
            map.Entries.Add(new MapEntry(child.Key, ConfigurationLocation(child.Path, source), FromConfiguration(child, child.Path, source)));
        }

        return map;
    }

    private static string ConfigurationLocation(string path, string source) =>
        (path.Length, source.Length) switch
        {
            (0, 0) => "configuration",
            (0, _) => source,
            (_, 0) => path,
            _ => $"{path} in {source}",
        };

    /// <summary>
    /// A YAML document as a tree; null for an empty document. The plain block YAML most inventories are written in is
    /// read by <see cref="SimpleYaml"/>, which saves a run YamlDotNet's start-up; anything else goes to YamlDotNet.
    /// </summary>
    public static InventoryNode? FromYaml(string text, string file) =>
        SimpleYaml.TryRead(text, file, out var root) ? root : FromYamlDotNet(text, file);

    /// <summary>
    /// A YAML document as a tree, read by YamlDotNet: every YAML feature and every syntax error message. Kept out of
    /// <see cref="FromYaml"/> (and never inlined into it) so that a document the fast reader takes does not even load
    /// the YamlDotNet assembly.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static InventoryNode? FromYamlDotNet(string text, string file)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, InventoryNode>(StringComparer.Ordinal);
            var root = ReadYaml(parser, file, anchors);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var next))
            {
                throw new InventoryException(
                    $"{YamlLocation(file, next.Start)}: the inventory holds a second YAML document ('---'). Keep one document per inventory file.");
            }

            return root;
        }
        catch (YamlException exception)
        {
            var message = YamlMarkPrefix().Replace(exception.Message, string.Empty).Trim().TrimEnd('.');
            throw new InventoryException(
                $"{YamlLocation(file, exception.Start)}: the file is not valid YAML: {Text.Quote(message).Trim('\'')}. Fix the YAML syntax there.",
                exception);
        }
    }

    private static string YamlLocation(string file, Mark mark) => $"{file}:{mark.Line}:{mark.Column}";

    private static InventoryNode ReadYaml(IParser parser, string file, Dictionary<string, InventoryNode> anchors)
    {
        var start = parser.Current ?? throw new InventoryException($"{file}: the YAML ends too early. Fix the YAML syntax.");
        var location = YamlLocation(file, start.Start);
        InventoryNode node;
        switch (start)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var anchored)
                    ? anchored
                    : throw new InventoryException($"{location}: the alias *{alias.Value.Value} names no anchor. Define &{alias.Value.Value} before it.");

            case Scalar scalar:
                parser.MoveNext();
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                node = new ScalarNode { Location = location, Value = isNull ? null : scalar.Value, Quoted = scalar.Style != ScalarStyle.Plain };
                break;

            case SequenceStart:
                parser.MoveNext();
                var sequence = new SequenceNode { Location = location };
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    sequence.Items.Add(ReadYaml(parser, file, anchors));
                }

                node = sequence;
                break;

            case MappingStart:
                parser.MoveNext();
                node = ReadYamlMapping(parser, file, location, anchors);
                break;

            default:
                throw new InventoryException($"{location}: unexpected YAML content. Fix the YAML syntax there.");
        }

        if (start is NodeEvent { Anchor.IsEmpty: false } withAnchor)
        {
            anchors[withAnchor.Anchor.Value] = node;
        }

        return node;
    }

    private static MapNode ReadYamlMapping(IParser parser, string file, string location, Dictionary<string, InventoryNode> anchors)
    {
        var explicitEntries = new List<MapEntry>();
        var merged = new List<MapEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = parser.Current;
            var keyLocation = YamlLocation(file, keyEvent!.Start);
            if (keyEvent is not Scalar key)
            {
                throw new InventoryException($"{keyLocation}: a mapping key must be a plain value, not a mapping or list. Fix the YAML there.");
            }

            parser.MoveNext();
            var value = ReadYaml(parser, file, anchors);
            if (key.Value == "<<" && key.Style == ScalarStyle.Plain)
            {
                // YAML merge key: the merged entries come first; entries written in the mapping override them.
                var sources = value is SequenceNode list ? list.Items : [value];
                foreach (var source in sources)
                {
                    if (source is not MapNode sourceMap)
                    {
                        throw new InventoryException($"{source.Location}: '<<' merges mappings only. Point it at a mapping anchor (<<: *name).");
                    }

                    merged.AddRange(sourceMap.Entries.Where(entry => merged.All(m => m.Key != entry.Key)));
                }

                continue;
            }

            if (seen.TryGetValue(key.Value, out var first))
            {
                throw new InventoryException(
                    $"{keyLocation}: the key {Text.Quote(key.Value)} is written twice in the same mapping (first on line {first}). Keep one of them.");
            }

            seen[key.Value] = keyEvent.Start.Line.ToString(CultureInfo.InvariantCulture);
            explicitEntries.Add(new MapEntry(key.Value, keyLocation, value));
        }

        var map = new MapNode { Location = location };
        map.Entries.AddRange(merged.Where(entry => !seen.ContainsKey(entry.Key)));
        map.Entries.AddRange(explicitEntries);
        return map;
    }

    /// <summary>A JSON document as a tree (comments and trailing commas allowed, as in appsettings.json).</summary>
    public static InventoryNode FromJson(byte[] bytes, string file)
    {
        var offset = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var json = bytes.AsMemory(offset);
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var positions = new JsonPositions(file);
        try
        {
            if (!reader.Read())
            {
                throw new InventoryException($"{file}:1:1: the file is empty. Write a JSON object with \"Hosts\" and \"Groups\".");
            }

            var node = ReadJson(ref reader, json.Span, positions);
            if (reader.Read())
            {
                throw new InventoryException($"{JsonLocation(positions, json.Span, reader.TokenStartIndex)}: text after the end of the JSON object. Remove it.");
            }

            return node;
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var column = (exception.BytePositionInLine ?? 0) + 1;
            var message = JsonPositionSuffix().Replace(exception.Message, string.Empty).Trim().TrimEnd('.');
            throw new InventoryException($"{file}:{line}:{column}: the file is not valid JSON: {message}. Fix the JSON syntax there.", exception);
        }
    }

    private static InventoryNode ReadJson(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, JsonPositions positions)
    {
        var location = JsonLocation(positions, json, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var map = new MapNode { Location = location };
                var seen = new Dictionary<string, string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyLocation = JsonLocation(positions, json, reader.TokenStartIndex);
                    var key = reader.GetString()!;
                    if (seen.TryGetValue(key, out var first))
                    {
                        throw new InventoryException(
                            $"{keyLocation}: the key {Text.Quote(key)} is written twice in the same object (first on line {first}). Keep one of them.");
                    }

                    seen[key] = positions.Line.ToString(CultureInfo.InvariantCulture);
                    reader.Read();
                    map.Entries.Add(new MapEntry(key, keyLocation, ReadJson(ref reader, json, positions)));
                }

                return map;

            case JsonTokenType.StartArray:
                var sequence = new SequenceNode { Location = location };
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    sequence.Items.Add(ReadJson(ref reader, json, positions));
                }

                return sequence;

            case JsonTokenType.String:
                return new ScalarNode { Location = location, Value = reader.GetString(), Quoted = true };

            case JsonTokenType.Number:
                return new ScalarNode { Location = location, Value = Encoding.UTF8.GetString(reader.ValueSpan), NotText = true };

            case JsonTokenType.True:
            case JsonTokenType.False:
                return new ScalarNode { Location = location, Value = reader.GetBoolean() ? "true" : "false", NotText = true };

            default:
                return new ScalarNode { Location = location, Value = null };
        }
    }

    private static string JsonLocation(JsonPositions positions, ReadOnlySpan<byte> json, long index)
    {
        // Tokens are read in order, so the line count only moves forward.
        for (var i = positions.Scanned; i < index; i++)
        {
            if (json[i] == (byte)'\n')
            {
                positions.Line++;
                positions.LineStart = i + 1;
            }
        }

        positions.Scanned = (int)index;
        var column = 1;
        for (var i = positions.LineStart; i < index; i++)
        {
            if ((json[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{positions.File}:{positions.Line}:{column}");
    }

    private sealed class JsonPositions(string file)
    {
        public string File { get; } = file;

        public int Scanned { get; set; }

        public int Line { get; set; } = 1;

        public int LineStart { get; set; }
    }
}
