using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Orchestrate.Generators
{
    /// <summary>
    /// Display strings of types, formatted once per type while the models of one compilation are built (most
    /// tasks share their containing type and parameter types). Lives only as long as that one step.
    /// </summary>
    internal sealed class TypeNames
    {
        private readonly Dictionary<ISymbol, string> _display = new Dictionary<ISymbol, string>(SymbolEqualityComparer.IncludeNullability);
        private readonly Dictionary<ISymbol, string> _fullyQualified = new Dictionary<ISymbol, string>(SymbolEqualityComparer.IncludeNullability);

        /// <summary>The type as <c>Outer.Inner&lt;T&gt;</c>, as shown in messages and descriptors.</summary>
        public string Display(ITypeSymbol type, SymbolDisplayFormat format) => Get(_display, type, format);

        /// <summary>The type as <c>global::Namespace.Type</c>.</summary>
        public string FullyQualified(ITypeSymbol type) => Get(_fullyQualified, type, SymbolDisplayFormat.FullyQualifiedFormat);

        private static string Get(Dictionary<ISymbol, string> cache, ITypeSymbol type, SymbolDisplayFormat format)
        {
            if (!cache.TryGetValue(type, out string? text))
            {
                text = type.ToDisplayString(format);
                cache[type] = text;
            }

            return text;
        }
    }
}
