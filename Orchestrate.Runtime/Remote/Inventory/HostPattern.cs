using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrate.Remote.Inventory;

/// <summary>Evaluates Ansible-like host patterns against an inventory; see <see cref="Inventory.Select(string, string)"/>.</summary>
internal static class HostPattern
{
    public static HashSet<string> Evaluate(Inventory inventory, string pattern, string origin)
    {
        var parts = Split(pattern);
        if (parts.Count == 0)
        {
            throw new InventoryException($"{origin} {Text.Quote(pattern)} is empty. Give a host name, a group name or a glob such as 'web*'.");
        }

        var union = parts.Where(p => p[0] is not '!' and not '&').ToList();
        var intersections = parts.Where(p => p[0] == '&').Select(p => p[1..]).ToList();
        var exclusions = parts.Where(p => p[0] == '!').Select(p => p[1..]).ToList();
        if (union.Count == 0)
        {
            union.Add(InventoryModel.All);
        }

        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in union)
        {
            selected.UnionWith(Match(inventory, pattern, part, origin));
        }

        foreach (var part in intersections)
        {
            selected.IntersectWith(Match(inventory, pattern, part, origin));
        }

        foreach (var part in exclusions)
        {
            selected.ExceptWith(Match(inventory, pattern, part, origin));
        }

        return selected;
    }

    /// <summary>Splits on <c>,</c> and <c>:</c> outside brackets; blank parts are dropped.</summary>
    private static List<string> Split(string pattern)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        foreach (var c in pattern)
        {
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && depth > 0)
            {
                depth--;
            }

            if (depth == 0 && c is ',' or ':')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        return parts.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
    }

    /// <summary>The host names one part matches; a part that names no host or group is an error.</summary>
    private static IEnumerable<string> Match(Inventory inventory, string pattern, string part, string origin)
    {
        if (part.Length == 0)
        {
            throw new InventoryException(
                $"{origin} {Text.Quote(pattern)} has a '!' or '&' without a name after it. Write '!name' or '&name'.");
        }

        var matched = new HashSet<string>(StringComparer.Ordinal);
        var found = false;

        void AddName(string name)
        {
            if (inventory.Groups.TryGetValue(name, out var members))
            {
                found = true;
                matched.UnionWith(members);
            }

            if (inventory.Find(name) is not null)
            {
                found = true;
                matched.Add(name);
            }
        }

        IEnumerable<string> AllNames() => inventory.Groups.Keys.Concat(inventory.Hosts.Select(host => host.Name));

        var kind = "name";
        if (part[0] == '~')
        {
            kind = "regular expression";
            Regex regex;
            try
            {
                regex = new Regex(part[1..], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException exception)
            {
                throw new InventoryException(
                    $"{origin} {Text.Quote(pattern)}: {Text.Quote(part)} is not a valid regular expression ({exception.Message.ReplaceLineEndings(" ")}). Fix it.");
            }

            foreach (var name in AllNames().Where(name => regex.IsMatch(name)).ToList())
            {
                AddName(name);
            }
        }
        else if (part.Contains('*') || part.Contains('?'))
        {
            kind = "glob";
            var glob = new Regex(
                "^" + Regex.Escape(part).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant | RegexOptions.Singleline);
            foreach (var name in AllNames().Where(name => glob.IsMatch(name)).ToList())
            {
                AddName(name);
            }
        }
        else if (HostRange.HasRange(part))
        {
            kind = "range";
            foreach (var name in HostRange.ExpandName(part, $"{origin} {Text.Quote(pattern)}"))
            {
                AddName(name);
            }
        }
        else
        {
            AddName(part);
        }

        if (!found)
        {
            var subject = part == pattern.Trim() ? $"{origin} {Text.Quote(pattern)}" : $"{origin} {Text.Quote(pattern)}: {Text.Quote(part)}";
            var groups = inventory.Groups.Keys.Where(g => g is not InventoryModel.All and not InventoryModel.Ungrouped);
            var suggestion = kind is "name" or "range" ? Text.DidYouMean(part, AllNames()) : string.Empty;
            var what = kind == "name" ? string.Empty : $" ({kind})";
            throw new InventoryException(
                $"{subject}{what} matches no host or group. Known groups: {Text.List(groups)}.{suggestion}");
        }

        return matched;
    }
}
