using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orchestrate.Remote.Inventory;

/// <summary>Reads the shapes of <see cref="InventoryNode"/>s, with errors naming where they were written.</summary>
internal static partial class NodeValues
{
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    public static bool IsNull(InventoryNode node) => node is ScalarNode { Value: null };

    /// <summary>A mapping; a null value is an empty mapping.</summary>
    public static MapNode Map(InventoryNode node, string what, string expected)
    {
        return node switch
        {
            MapNode map => map,
            ScalarNode { Value: null } => new MapNode { Location = node.Location },
            _ => throw new InventoryException($"{node.Location}: {what} must be a mapping, not {Describe(node)}. Write {expected}."),
        };
    }

    /// <summary>
    /// A list; a null value is an empty list and a single value a list of one. Configuration turns a list into a
    /// section with the keys 0, 1, 2...; that is read as a list too.
    /// </summary>
    public static List<InventoryNode> List(InventoryNode node, string what, string expected)
    {
        return node switch
        {
            SequenceNode sequence => sequence.Items,
            ScalarNode { Value: null } => [],
            ScalarNode => [node],
            MapNode map when IsConfigurationList(map) => map.Entries.Select(entry => entry.Value).ToList(),
            _ => throw new InventoryException($"{node.Location}: {what} must be a list, not {Describe(node)}. Write {expected}."),
        };
    }

    /// <summary>Whether a mapping is how configuration stores a list: the keys 0, 1, 2... in order.</summary>
    public static bool IsConfigurationList(MapNode map) =>
        map.Entries.Count > 0 && map.Entries.Select((entry, i) => entry.Key == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(ok => ok);

    /// <summary>A single value (null when written as null or empty).</summary>
    public static string? Scalar(InventoryNode node, string what)
    {
        return node is ScalarNode scalar
            ? scalar.Value
            : throw new InventoryException($"{node.Location}: {what} must be a single value, not {Describe(node)}. Write it as one value.");
    }

    /// <summary>A variable's value as text: a single value as written, a list or mapping as JSON text.</summary>
    public static string VarText(InventoryNode node)
    {
        return node is ScalarNode scalar ? scalar.Value ?? string.Empty : JsonText(node);
    }

    // Apart from VarText, so that an inventory of plain values never loads System.Text.Json.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string JsonText(InventoryNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJson(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter writer, InventoryNode node)
    {
        switch (node)
        {
            case MapNode map when IsConfigurationList(map):
                writer.WriteStartArray();
                foreach (var entry in map.Entries)
                {
                    WriteJson(writer, entry.Value);
                }

                writer.WriteEndArray();
                break;

            case MapNode map:
                writer.WriteStartObject();
                foreach (var entry in map.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    WriteJson(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;

            case SequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;

            case ScalarNode { Value: null }:
                writer.WriteNullValue();
                break;

            case ScalarNode { Quoted: false, Value: "true" or "True" or "TRUE" }:
                writer.WriteBooleanValue(true);
                break;

            case ScalarNode { Quoted: false, Value: "false" or "False" or "FALSE" }:
                writer.WriteBooleanValue(false);
                break;

            case ScalarNode { Quoted: false } scalar when JsonNumber().IsMatch(scalar.Value!):
                writer.WriteRawValue(scalar.Value!);
                break;

            case ScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }

    private static string Describe(InventoryNode node) => node switch
    {
        MapNode => "a mapping",
        SequenceNode => "a list",
        ScalarNode { Value: null } => "empty",
        ScalarNode scalar => $"the value {Text.Quote(scalar.Value)}",
        _ => "this",
    };
}
