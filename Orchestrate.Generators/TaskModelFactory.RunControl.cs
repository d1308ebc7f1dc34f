using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>The run-control attributes: <c>[Critical]</c>, <c>[Forever]</c>, <c>[Timeout]</c>, <c>[Resource]</c>, <c>[Sequence]</c>.</summary>
    internal static partial class TaskModelFactory
    {
        /// <summary>The largest number of seconds <c>TimeSpan.FromSeconds</c> accepts (whole seconds of <c>TimeSpan.MaxValue</c>).</summary>
        private const double MaxTimeoutSeconds = 922337203685d;

        /// <summary>The shortest timeout a <c>TimeSpan</c> holds: one tick.</summary>
        private const double MinTimeoutSeconds = 1e-7;

        /// <summary>
        /// Reads the run-control attributes of one task and checks what can be checked on the task alone
        /// (ORCH0016-ORCH0018, ORCH0020); references in <c>[Sequence]</c> are resolved with the whole graph.
        /// </summary>
        private sealed class RunControlReader
        {
            private readonly string _taskName;
            private readonly List<DiagnosticInfo> _diagnostics;
            private readonly CancellationToken _cancellationToken;
            private readonly List<ResourceModel> _resources = new List<ResourceModel>();
            private readonly List<string> _sequence = new List<string>();
            private readonly List<ReferenceLocation> _sequenceLocations = new List<ReferenceLocation>();

            private bool? _critical;
            private LocationInfo? _forever;
            private double? _timeout;

            public RunControlReader(string taskName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                _taskName = taskName;
                _diagnostics = diagnostics;
                _cancellationToken = cancellationToken;
            }

            public EquatableArray<ReferenceLocation> SequenceLocations => _sequenceLocations.ToEquatableArray();

            public void Read(string kind, AttributeData attribute)
            {
                if (attribute.AttributeConstructor is null)
                {
                    // The compiler reports the bad arguments.
                    return;
                }

                switch (kind)
                {
                    case AttributeNames.Critical:
                        _critical = attribute.ConstructorArguments.Length == 0 || attribute.ConstructorArguments[0].Value is not bool critical || critical;
                        break;
                    case AttributeNames.Forever:
                        _forever = AttributeLocation(attribute, _cancellationToken);
                        break;
                    case AttributeNames.Timeout:
                        ReadTimeout(attribute);
                        break;
                    case AttributeNames.Resource:
                        ReadResource(attribute);
                        break;
                    case AttributeNames.Sequence:
                        ReadSequence(attribute);
                        break;
                }
            }

            /// <summary>Reports a forever task that declares targets (ORCH0020).</summary>
            public void CheckForeverTargets(bool hasTargets, bool hasRemoteTargets)
            {
                if (_forever is not null && (hasTargets || hasRemoteTargets))
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ForeverWithTargets, _forever, _taskName, hasTargets ? "Targets" : "RemoteTargets"));
                }
            }

            public RunControlSpec ToSpec() =>
                new RunControlSpec(_critical, _forever is not null, _timeout, _resources.ToEquatableArray(), _sequence.ToEquatableArray());

            private void ReadTimeout(AttributeData attribute)
            {
                if (attribute.ConstructorArguments.Length != 1 || !TryGetDouble(attribute.ConstructorArguments[0].Value, out double seconds))
                {
                    return;
                }

                string? problem = double.IsNaN(seconds) ? "which is not a number"
                    : double.IsInfinity(seconds) ? "which is not a finite time"
                    : seconds <= 0 ? "but a timeout must be above zero"
                    : seconds < MinTimeoutSeconds ? "which is shorter than the 100 ns a TimeSpan counts in"
                    : seconds > MaxTimeoutSeconds ? "which is more than a TimeSpan holds"
                    : null;
                if (problem is null)
                {
                    _timeout = seconds;
                    return;
                }

                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
                _diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.InvalidTimeout,
                    Argument(syntax, attribute, 0) ?? LocationInfo.From(syntax),
                    _taskName,
                    seconds.ToString("R", CultureInfo.InvariantCulture),
                    problem));
            }

            private void ReadResource(AttributeData attribute)
            {
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
                string? name = StringArgument(attribute, 0);
                int limit = attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is int value ? value : 1;

                string? emptyName = name is null ? "its name is null"
                    : name.Length == 0 ? "its name is empty"
                    : string.IsNullOrWhiteSpace(name) ? "its name is only whitespace"
                    : null;
                if (emptyName is not null)
                {
                    AddResourceProblem(Argument(syntax, attribute, 0) ?? LocationInfo.From(syntax), emptyName, "Name the resource, such as [Resource(\"db\")].");
                    return;
                }

                if (limit < 1)
                {
                    AddResourceProblem(
                        Argument(syntax, attribute, 1) ?? LocationInfo.From(syntax),
                        "the limit of resource '" + name + "' is " + limit.ToString(CultureInfo.InvariantCulture) + ", so no task naming it could ever start",
                        "Set the limit to 1 or more: how many tasks naming it may run at once.");
                    return;
                }

                foreach (ResourceModel resource in _resources)
                {
                    if (string.Equals(resource.Name, name, StringComparison.Ordinal))
                    {
                        AddResourceProblem(
                            LocationInfo.From(syntax),
                            "it names resource '" + name + "' a second time, and a task holds a resource once",
                            "Remove one of the two.");
                        return;
                    }
                }

                _resources.Add(new ResourceModel(name!, limit));
            }

            /// <summary>The argument as a double (the compiler converts it to the parameter's type; other numbers are taken as they are).</summary>
            private static bool TryGetDouble(object? value, out double result)
            {
                switch (value)
                {
                    case double d:
                        result = d;
                        return true;
                    case float f:
                        result = f;
                        return true;
                    case int i:
                        result = i;
                        return true;
                    case long l:
                        result = l;
                        return true;
                    default:
                        result = 0;
                        return false;
                }
            }

            private void AddResourceProblem(LocationInfo? location, string problem, string fix) =>
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidResource, location, _taskName, problem, fix));

            private void ReadSequence(AttributeData attribute)
            {
                int before = _sequence.Count;
                CollectStrings(attribute, _sequence, _sequenceLocations, _cancellationToken);
                if (_sequence.Count == before)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptySequence, AttributeLocation(attribute, _cancellationToken), _taskName));
                }
            }
        }
    }
}
