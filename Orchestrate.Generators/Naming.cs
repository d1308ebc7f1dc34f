using System;
using System.Collections.Generic;
using System.Text;

namespace Orchestrate.Generators
{
    /// <summary>Task names, paths, and name suggestions.</summary>
    internal static class Naming
    {
        /// <summary>
        /// The method name in kebab case: <c>BuildDocs</c> becomes <c>build-docs</c>, <c>HTTPServer</c>
        /// becomes <c>http-server</c>, <c>Build_Docs</c> becomes <c>build-docs</c>.
        /// </summary>
        public static string ToKebabCase(string name)
        {
            var builder = new StringBuilder(name.Length + 8);
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (c == '_' || c == '-')
                {
                    AppendDash(builder);
                    continue;
                }

                if (char.IsUpper(c))
                {
                    if (i > 0)
                    {
                        char previous = name[i - 1];
                        bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                        if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                        {
                            AppendDash(builder);
                        }
                    }

                    builder.Append(char.ToLowerInvariant(c));
                }
                else
                {
                    builder.Append(c);
                }
            }

            string result = builder.ToString().Trim('-');
            return result.Length == 0 ? name : result;
        }

        private static void AppendDash(StringBuilder builder)
        {
            if (builder.Length > 0 && builder[builder.Length - 1] != '-')
            {
                builder.Append('-');
            }
        }

        /// <summary>Why a task name is invalid, or null when it is valid.</summary>
        public static string? ValidateTaskName(string name)
        {
            if (name.Length == 0)
            {
                return "it is empty";
            }

            foreach (char c in name)
            {
                if (char.IsWhiteSpace(c))
                {
                    return "it contains whitespace";
                }

                if (c == ':' || c == ',' || c == '/')
                {
                    return "it contains '" + c + "'";
                }
            }

            return null;
        }

        /// <summary>
        /// A path as compared by the graph checks: forward slashes, no leading <c>./</c>, no doubled or
        /// trailing slashes. The descriptor keeps paths as written.
        /// </summary>
        public static string NormalizePath(string path)
        {
            string result = path.Trim().Replace('\\', '/');
            while (result.Contains("//"))
            {
                result = result.Replace("//", "/");
            }

            while (result.StartsWith("./", StringComparison.Ordinal))
            {
                result = result.Substring(2);
            }

            if (result.Length > 1)
            {
                result = result.TrimEnd('/');
            }

            return result;
        }

        /// <summary>The edit distance of two strings, ignoring case.</summary>
        public static int Distance(string a, string b)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }

                int[] swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }

        /// <summary>
        /// The closest candidate's value, when it is close enough to be a likely typo of <paramref name="text"/>.
        /// </summary>
        public static string? Suggest(string text, IEnumerable<KeyValuePair<string, string>> candidates)
        {
            int threshold = Math.Max(1, text.Length / 3);
            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (KeyValuePair<string, string> candidate in candidates)
            {
                int distance = Distance(text, candidate.Key);
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = candidate.Value;
                }
            }

            return bestDistance <= threshold ? best : null;
        }
    }
}
