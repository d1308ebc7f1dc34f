using System.Linq;
using Microsoft.CodeAnalysis;

namespace Orchestrate.Generators
{
    /// <summary>A diagnostic as an equatable value: descriptor id, message arguments and locations.</summary>
    internal sealed record DiagnosticInfo(
        string Id,
        EquatableArray<string> Arguments,
        LocationInfo? Location,
        EquatableArray<LocationInfo> AdditionalLocations)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, new EquatableArray<string>(arguments), location, EquatableArray<LocationInfo>.Empty);

        public static DiagnosticInfo Create(
            DiagnosticDescriptor descriptor,
            LocationInfo? location,
            EquatableArray<LocationInfo> additionalLocations,
            params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, new EquatableArray<string>(arguments), location, additionalLocations);

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(
                DiagnosticDescriptors.Get(Id),
                Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
                AdditionalLocations.Select(l => l.ToLocation()),
                Arguments.Select(a => (object?)a).ToArray());
    }
}
