using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrate.Remote.Inventory;

/// <summary>
/// Expands host ranges: <c>web[01-20]</c> or <c>web[01:20]</c> (zero padding kept when the bounds are padded),
/// <c>node[1-3].lab</c>, letters <c>[a-c]</c>, a step <c>[01:20:2]</c>; several ranges in one name give every combination.
/// </summary>
internal static partial class HostRange
{
    /// <summary>The most hosts one entry may expand to.</summary>
    public const int MaxHosts = 10_000;

    private const string Forms = "write [01-20], [01:20], [a-c] or [01:20:2]";

    [GeneratedRegex(@"\[([^\[\]]*)\]")]
    private static partial Regex BracketRegex();

    [GeneratedRegex(@"^\s*([0-9]+|[A-Za-z])\s*[-:]\s*([0-9]+|[A-Za-z])\s*(?::\s*([0-9]+)\s*)?$")]
    private static partial Regex RangeRegex();

    /// <summary>Whether <paramref name="text"/> holds a range (in brackets, in one of the accepted forms).</summary>
    public static bool HasRange(string text)
    {
        if (!text.Contains('['))
        {
            return false; // the common case, without the regular expression library
        }

        foreach (Match match in BracketRegex().Matches(text))
        {
            if (RangeRegex().IsMatch(match.Groups[1].Value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Expands a host name. Every bracket must be a range; the names are checked for characters that would
    /// break host patterns.
    /// </summary>
    public static IReadOnlyList<string> ExpandName(string name, string location)
    {
        if (name.Length == 0 || name.Trim().Length == 0)
        {
            throw new InventoryException($"{location}: a host name is empty. Give every host a name.");
        }

        var names = Expand(name, location, strict: true);
        foreach (var expanded in names)
        {
            CheckName(expanded, "host", location);
        }

        return names;
    }

    /// <summary>Expands an address; brackets that are not ranges (an IPv6 address) stay as they are.</summary>
    public static IReadOnlyList<string> ExpandAddress(string address, string location) =>
        Expand(address, location, strict: false);

    /// <summary>Refuses a host or group name holding characters that have a meaning in host patterns.</summary>
    public static void CheckName(string name, string kind, string location)
    {
        var bad = name.FirstOrDefault(c => char.IsWhiteSpace(c) || c is ',' or ':' or '!' or '&' or '*' or '?' or '[' or ']' or '{' or '}' or '~');
        if (name.Length == 0)
        {
            throw new InventoryException($"{location}: a {kind} name is empty. Give every {kind} a name.");
        }

        if (bad != default)
        {
            throw new InventoryException(
                $"{location}: the {kind} name {Text.Quote(name)} contains {Text.Quote(bad.ToString())}, which host patterns use. " +
                $"Use letters, digits, '.', '-' and '_' in {kind} names.");
        }

        // Names are printed in task names and reports: nothing that hides or reorders text on a terminal, nor '/'.
        if (Text.Visible(name) != name || name.Contains('/'))
        {
            throw new InventoryException(
                $"{location}: the {kind} name {Text.Quote(name)} holds a control, direction or '/' character, which task names and reports cannot show as written. " +
                $"Use letters, digits, '.', '-' and '_' in {kind} names.");
        }
    }

    private static List<string> Expand(string text, string location, bool strict)
    {
        if (!text.Contains('['))
        {
            return [text]; // the common case, without the regular expression library
        }

        var results = new List<string> { string.Empty };
        var position = 0;
        foreach (Match bracket in BracketRegex().Matches(text))
        {
            var range = RangeRegex().Match(bracket.Groups[1].Value);
            if (!range.Success)
            {
                if (strict)
                {
                    throw new InventoryException(
                        $"{location}: {Text.Quote(bracket.Value)} in {Text.Quote(text)} is not a host range; {Forms}.");
                }

                continue;
            }

            var literal = text[position..bracket.Index];
            var values = Values(text, bracket.Value, range, location);
            if ((long)results.Count * values.Count > MaxHosts)
            {
                throw new InventoryException(
                    $"{location}: {Text.Quote(text)} expands to more than {MaxHosts} hosts. Split it into smaller ranges.");
            }

            results = results.SelectMany(prefix => values.Select(value => prefix + literal + value)).ToList();
            position = bracket.Index + bracket.Length;
        }

        var tail = text[position..];
        if (strict && (tail.Contains('[') || tail.Contains(']') || results.Any(r => r.Contains('[') || r.Contains(']'))))
        {
            throw new InventoryException($"{location}: {Text.Quote(text)} has an unmatched bracket; {Forms}.");
        }

        return results.Select(prefix => prefix + tail).ToList();
    }

    private static List<string> Values(string text, string bracket, Match range, string location)
    {
        var from = range.Groups[1].Value;
        var to = range.Groups[2].Value;
        var step = 1;
        if (range.Groups[3].Success)
        {
            if (!int.TryParse(range.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
            {
                throw new InventoryException(
                    $"{location}: the step of {Text.Quote(bracket)} in {Text.Quote(text)} must be a whole number from 1 up; {Forms}.");
            }
        }

        var numeric = char.IsAsciiDigit(from[0]);
        if (numeric != char.IsAsciiDigit(to[0]))
        {
            throw new InventoryException(
                $"{location}: {Text.Quote(bracket)} in {Text.Quote(text)} mixes a number and a letter; {Forms}.");
        }

        var values = new List<string>();
        if (numeric)
        {
            var padded = (from.Length > 1 && from[0] == '0') || (to.Length > 1 && to[0] == '0');
            if (padded && from.Length != to.Length)
            {
                throw new InventoryException(
                    $"{location}: the bounds of {Text.Quote(bracket)} in {Text.Quote(text)} are zero-padded to different widths; " +
                    $"give both the same width, as in [{from.PadLeft(Math.Max(from.Length, to.Length), '0')}-{to.PadLeft(Math.Max(from.Length, to.Length), '0')}].");
            }

            if (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var end))
            {
                throw new InventoryException($"{location}: the bounds of {Text.Quote(bracket)} in {Text.Quote(text)} are too large.");
            }

            CheckOrder(text, bracket, start > end, from, to, location);
            if ((end - start) / step + 1 > MaxHosts)
            {
                throw new InventoryException(
                    $"{location}: {Text.Quote(text)} expands to more than {MaxHosts} hosts. Split it into smaller ranges.");
            }

            for (var value = start; value <= end; value += step)
            {
                var digits = value.ToString(CultureInfo.InvariantCulture);
                values.Add(padded ? digits.PadLeft(from.Length, '0') : digits);
            }
        }
        else
        {
            if (char.IsAsciiLetterUpper(from[0]) != char.IsAsciiLetterUpper(to[0]))
            {
                throw new InventoryException(
                    $"{location}: {Text.Quote(bracket)} in {Text.Quote(text)} mixes upper and lower case letters; write [a-c] or [A-C].");
            }

            CheckOrder(text, bracket, from[0] > to[0], from, to, location);
            for (var letter = from[0]; letter <= to[0]; letter = (char)(letter + step))
            {
                values.Add(letter.ToString());
            }
        }

        return values;
    }

    private static void CheckOrder(string text, string bracket, bool backwards, string from, string to, string location)
    {
        if (backwards)
        {
            throw new InventoryException(
                $"{location}: the range {Text.Quote(bracket)} in {Text.Quote(text)} runs backwards; write the lower bound first, as in [{to}-{from}].");
        }
    }
}
