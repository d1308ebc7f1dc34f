using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>The remote sequence attributes: <c>[LocalPre]</c>, <c>[LocalPost]</c>, <c>[SubSequenceOf]</c>, <c>[ForEach]</c>.</summary>
    internal static partial class TaskModelFactory
    {
        /// <summary>
        /// Reads the remote sequence attributes of one task, resolves the methods they name (ORCH0022, ORCH0023) and
        /// checks where they may be (ORCH0025-ORCH0027); the super sequence is resolved with the whole graph.
        /// </summary>
        private sealed class RemoteSequenceReader
        {
            private readonly RuleContext _rules;
            private MethodRef? _localPre;
            private MethodRef? _localPost;
            private ForEachRef? _forEach;
            private string? _subSequenceOf;
            private ReferenceLocation? _subSequenceOfLocation;

            /// <summary>Where each local step attribute is written (its argument), by its short name.</summary>
            private readonly List<KeyValuePair<string, LocationInfo?>> _localSteps = new List<KeyValuePair<string, LocationInfo?>>();
            private LocationInfo? _forEachLocation;

            public RemoteSequenceReader(RuleContext rules)
            {
                _rules = rules;
            }

            /// <summary>The task is a sub sequence (it has a <c>[SubSequenceOf]</c>, whether or not it names a valid super sequence).</summary>
            public bool IsSubSequence => _subSequenceOf is not null;

            public ReferenceLocation? SubSequenceOfLocation => _subSequenceOfLocation;

            public void Read(string kind, AttributeData attribute)
            {
                if (attribute.AttributeConstructor is null)
                {
                    // The compiler reports the bad arguments.
                    return;
                }

                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_rules.CancellationToken) as AttributeSyntax;
                LocationInfo? location = Argument(syntax, attribute, 0) ?? LocationInfo.From(syntax);
                switch (kind)
                {
                    case AttributeNames.LocalPre:
                        _localSteps.Add(new KeyValuePair<string, LocationInfo?>("LocalPre", location));
                        _localPre = ResolveRuleMethod(attribute, MethodRole.LocalPre, _rules, out _);
                        break;
                    case AttributeNames.LocalPost:
                        _localSteps.Add(new KeyValuePair<string, LocationInfo?>("LocalPost", location));
                        _localPost = ResolveRuleMethod(attribute, MethodRole.LocalPost, _rules, out _);
                        break;
                    case AttributeNames.ForEach:
                        _forEachLocation = location;
                        MethodRef? items = ResolveRuleMethod(attribute, MethodRole.ForEach, _rules, out _);
                        _forEach = items is null ? null : new ForEachRef(items.TypeFullName, items.MethodName, items.Parameters.Count == 1);
                        break;
                    case AttributeNames.SubSequenceOf:
                        var values = new List<string>();
                        var locations = new List<ReferenceLocation>();
                        CollectStrings(attribute, values, locations, _rules.CancellationToken);
                        if (values.Count > 0)
                        {
                            _subSequenceOf = values[0];
                            _subSequenceOfLocation = locations[0];
                        }

                        break;
                }
            }

            /// <summary>
            /// Reports <c>[Hosts]</c> on a sub sequence (ORCH0025), <c>[ForEach]</c> on a task that is not one (ORCH0026), and
            /// local steps on a task that is neither a host task nor a sub sequence (ORCH0027).
            /// </summary>
            public void CheckPlacement(bool hasHosts, LocationInfo? hostsLocation)
            {
                if (_subSequenceOf is not null && hasHosts)
                {
                    _rules.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HostsOnSubSequence, hostsLocation, _rules.TaskName, _subSequenceOf));
                }

                if (_subSequenceOf is null && _forEachLocation is not null)
                {
                    _rules.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ForEachWithoutSubSequence, _forEachLocation, _rules.TaskName));
                }

                if (_subSequenceOf is null && !hasHosts)
                {
                    foreach (KeyValuePair<string, LocationInfo?> step in _localSteps)
                    {
                        _rules.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LocalStepOnLocalTask, step.Value, _rules.TaskName, step.Key));
                    }
                }
            }

            /// <summary>Reports local steps on a [Forever] or [Sequence] task (ORCH0028), which runs as one node per host.</summary>
            public void CheckSingleNode(bool isForever, bool isSequence)
            {
                if (!isForever && !isSequence)
                {
                    return;
                }

                foreach (KeyValuePair<string, LocationInfo?> step in _localSteps)
                {
                    _rules.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LocalStepOnSingleNodeTask, step.Value, _rules.TaskName, step.Key, isForever ? "Forever" : "Sequence"));
                }
            }

            public RemoteSequenceSpec ToSpec() =>
                _localPre is null && _localPost is null && _subSequenceOf is null && _forEach is null
                    ? RemoteSequenceSpec.None
                    : new RemoteSequenceSpec(_localPre, _localPost, _subSequenceOf, _forEach);
        }
    }
}
