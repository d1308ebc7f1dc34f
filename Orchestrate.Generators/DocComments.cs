using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Orchestrate.Generators
{
    /// <summary>
    /// Reads the first sentence of a member's <c>&lt;summary&gt;</c> from its leading trivia. Works on the
    /// raw comment text, so it does not depend on the compilation's documentation mode.
    /// </summary>
    internal static class DocComments
    {
        public static string? FirstSentenceOfSummary(SyntaxNode member)
        {
            string? raw = RawDocComment(member);
            if (raw is null)
            {
                return null;
            }

            int start = raw.IndexOf("<summary>", StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            start += "<summary>".Length;
            int end = raw.IndexOf("</summary>", start, StringComparison.Ordinal);
            string inner = end < 0 ? raw.Substring(start) : raw.Substring(start, end - start);
            string text = FirstParagraph(StripTags(inner));
            text = FirstSentence(CollapseWhitespace(text));
            return text.Length == 0 ? null : text;
        }

        private static string? RawDocComment(SyntaxNode member)
        {
            var lines = new List<string>();
            foreach (SyntaxTrivia trivia in member.GetLeadingTrivia())
            {
                if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)
                    || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia)
                    || trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
                    || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia))
                {
                    // The source text of the trivia: cheaper than rebuilding it from the structured doc comment.
                    string full = trivia.SyntaxTree is { } tree && tree.TryGetText(out SourceText? text)
                        ? text.ToString(trivia.FullSpan)
                        : trivia.ToFullString();
                    foreach (string rawLine in full.Split('\n'))
                    {
                        string line = rawLine.Trim();
                        if (line.StartsWith("///", StringComparison.Ordinal))
                        {
                            lines.Add(line.Substring(3));
                        }
                        else if (line.StartsWith("/**", StringComparison.Ordinal))
                        {
                            lines.Add(TrimBlockEnd(line.Substring(3)));
                        }
                        else if (line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("/*", StringComparison.Ordinal))
                        {
                            // An ordinary comment: not documentation.
                        }
                        else if (trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia)
                            || (trivia.IsKind(SyntaxKind.MultiLineCommentTrivia) && full.StartsWith("/**", StringComparison.Ordinal)))
                        {
                            lines.Add(TrimBlockEnd(line.TrimStart('*')));
                        }
                    }
                }
            }

            return lines.Count == 0 ? null : string.Join("\n", lines);
        }

        private static string TrimBlockEnd(string line)
        {
            int end = line.LastIndexOf("*/", StringComparison.Ordinal);
            return end >= 0 ? line.Substring(0, end) : line;
        }

        /// <summary>Removes XML tags, keeping referenced names (cref, langword, name) and decoding entities.</summary>
        private static string StripTags(string xml)
        {
            var builder = new StringBuilder(xml.Length);
            int i = 0;
            while (i < xml.Length)
            {
                char c = xml[i];
                if (c == '<')
                {
                    int close = xml.IndexOf('>', i);
                    if (close < 0)
                    {
                        break;
                    }

                    string tag = xml.Substring(i + 1, close - i - 1).Trim();
                    i = close + 1;
                    string tagName = TagName(tag);
                    if (tagName == "para" || tagName == "br")
                    {
                        builder.Append("\n\n");
                    }
                    else if (tag.EndsWith("/", StringComparison.Ordinal))
                    {
                        string? value = AttributeValue(tag, "cref") ?? AttributeValue(tag, "langword")
                            ?? AttributeValue(tag, "name") ?? AttributeValue(tag, "href");
                        if (value is not null)
                        {
                            builder.Append(ShortCref(value));
                        }
                    }

                    continue;
                }

                if (c == '&')
                {
                    int semicolon = xml.IndexOf(';', i);
                    if (semicolon > i && semicolon - i <= 6)
                    {
                        string entity = xml.Substring(i + 1, semicolon - i - 1);
                        string? decoded = entity switch
                        {
                            "lt" => "<",
                            "gt" => ">",
                            "amp" => "&",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => null,
                        };
                        if (decoded is not null)
                        {
                            builder.Append(decoded);
                            i = semicolon + 1;
                            continue;
                        }
                    }
                }

                builder.Append(c);
                i++;
            }

            return builder.ToString();
        }

        private static string TagName(string tag)
        {
            string name = tag.TrimStart('/');
            int end = 0;
            while (end < name.Length && !char.IsWhiteSpace(name[end]) && name[end] != '/')
            {
                end++;
            }

            return name.Substring(0, end);
        }

        private static string? AttributeValue(string tag, string attribute)
        {
            int index = tag.IndexOf(attribute + "=", StringComparison.Ordinal);
            if (index < 0 || index + attribute.Length + 1 >= tag.Length)
            {
                return null;
            }

            int valueStart = index + attribute.Length + 1;
            char quote = tag[valueStart];
            if (quote != '"' && quote != '\'')
            {
                return null;
            }

            int valueEnd = tag.IndexOf(quote, valueStart + 1);
            return valueEnd < 0 ? null : tag.Substring(valueStart + 1, valueEnd - valueStart - 1);
        }

        private static string ShortCref(string cref)
        {
            if (cref.Length > 2 && cref[1] == ':')
            {
                cref = cref.Substring(2);
            }

            int paren = cref.IndexOf('(');
            if (paren >= 0)
            {
                cref = cref.Substring(0, paren);
            }

            int brace = cref.IndexOfAny(new[] { '{', '<' });
            string head = brace >= 0 ? cref.Substring(0, brace) : cref;
            int dot = head.LastIndexOf('.');
            return dot >= 0 ? cref.Substring(dot + 1) : cref;
        }

        private static string FirstParagraph(string text)
        {
            var builder = new StringBuilder();
            foreach (string rawLine in text.Split('\n'))
            {
                string line = rawLine.Trim();
                if (line.Length == 0)
                {
                    if (builder.Length > 0)
                    {
                        break;
                    }

                    continue;
                }

                builder.Append(line).Append(' ');
            }

            return builder.ToString();
        }

        private static string CollapseWhitespace(string text)
        {
            var builder = new StringBuilder(text.Length);
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = builder.Length > 0;
                    continue;
                }

                if (space)
                {
                    builder.Append(' ');
                    space = false;
                }

                builder.Append(c);
            }

            return builder.ToString();
        }

        private static string FirstSentence(string text)
        {
            for (int i = 0; i < text.Length - 1; i++)
            {
                if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i + 1] == ' ')
                {
                    return text.Substring(0, i + 1);
                }
            }

            return text;
        }
    }
}
