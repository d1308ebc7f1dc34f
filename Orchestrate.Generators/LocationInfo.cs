using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Orchestrate.Generators
{
    /// <summary>
    /// A source location that can live in a pipeline model. Equality compares only the file and the
    /// line/column span, so that an edit elsewhere in the file that keeps line counts leaves models equal.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public bool Equals(LocationInfo? other) =>
            other is not null
            && string.Equals(FilePath, other.FilePath, StringComparison.Ordinal)
            && LineSpan.Equals(other.LineSpan);

        public override int GetHashCode()
        {
            unchecked
            {
                return (StringComparer.Ordinal.GetHashCode(FilePath) * 397) ^ LineSpan.GetHashCode();
            }
        }

        /// <summary>The location to report. The line span must be kept: without it the diagnostic lands on line 1.</summary>
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null)
            {
                return null;
            }

            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }
    }
}
