using System.Text;

namespace Orchestrate.Remote.Inventory;

/// <summary><c>{host}</c>, <c>{address}</c> and <c>{variable}</c> substitution in commands and paths.</summary>
internal static class Substitution
{
    public static string Apply(string text, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(host);
        if (text.IndexOfAny(['{', '}']) < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 32);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                result.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                result.Append('}');
                i++;
            }
            else if (c == '}')
            {
                throw new InventoryException(
                    $"{Text.Quote(text)} has a '}}' without a '{{' before it (at {i + 1}). Write '}}}}' for a literal brace.");
            }
            else if (c == '{')
            {
                var close = text.IndexOf('}', i + 1);
                var open = text.IndexOf('{', i + 1);
                if (close < 0 || (open >= 0 && open < close))
                {
                    throw new InventoryException(
                        $"{Text.Quote(text)} has a '{{' without a '}}' after it (at {i + 1}). Write '{{{{' for a literal brace.");
                }

                var name = text[(i + 1)..close];
                result.Append(Value(name, text, host));
                i = close;
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static string Value(string name, string text, HostSpec host)
    {
        switch (name)
        {
            case "host":
                return host.Name;
            case "address":
                return host.Target;
        }

        if (host.Vars.TryGetValue(name, out var value))
        {
            return value;
        }

        var known = new[] { "host", "address" }.Concat(host.Vars.Keys).ToList();
        throw new InventoryException(
            $"{Text.Quote("{" + name + "}")} in {Text.Quote(text)} is not known for host {Text.Quote(host.Name)}. " +
            $"Known: {string.Join(", ", known.Select(k => "{" + k + "}"))}; write '{{{{' and '}}}}' for literal braces.{Text.DidYouMean(name, known)}");
    }
}
