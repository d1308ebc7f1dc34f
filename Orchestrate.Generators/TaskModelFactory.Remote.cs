using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>The remote attributes: <c>[Hosts]</c>, <c>[Barrier]</c>, <c>[RemoteStep]</c>, <c>[Ship]</c>, <c>[Fetch]</c>, <c>[RemoteTargets]</c>.</summary>
    internal static partial class TaskModelFactory
    {
        /// <summary>Reads the remote attributes of one task, in declaration order, and checks their values (ORCH0012-ORCH0015).</summary>
        private sealed class RemoteReader
        {
            private readonly string _taskName;
            private readonly List<DiagnosticInfo> _diagnostics;
            private readonly CancellationToken _cancellationToken;
            private readonly List<RemoteStepModel> _steps = new List<RemoteStepModel>();
            private readonly List<TransferModel> _ships = new List<TransferModel>();
            private readonly List<TransferModel> _fetches = new List<TransferModel>();
            private readonly List<string> _targets = new List<string>();

            /// <summary>The attributes that only a host task may have, with where they are written.</summary>
            private readonly List<KeyValuePair<string, LocationInfo?>> _remoteOnly = new List<KeyValuePair<string, LocationInfo?>>();

            private bool _hasHosts;
            private LocationInfo? _hostsLocation;
            private string? _hosts;
            private bool _isBarrier;

            public RemoteReader(string taskName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                _taskName = taskName;
                _diagnostics = diagnostics;
                _cancellationToken = cancellationToken;
            }

            /// <summary>The task has <c>[Hosts]</c>.</summary>
            public bool HasHosts => _hasHosts;

            /// <summary>Where the first <c>[Hosts]</c> is written (its pattern argument).</summary>
            public LocationInfo? HostsLocation => _hostsLocation;

            public void Read(string? kind, AttributeData attribute)
            {
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
                LocationInfo? attributeLocation = LocationInfo.From(syntax);
                if (kind != AttributeNames.Hosts)
                {
                    _remoteOnly.Add(new KeyValuePair<string, LocationInfo?>(ShortName(kind), attributeLocation));
                }

                switch (kind)
                {
                    case AttributeNames.Hosts:
                        _hasHosts = true;
                        _hostsLocation ??= Argument(syntax, attribute, 0) ?? attributeLocation;
                        if (attribute.AttributeConstructor is null)
                        {
                            // The compiler reports the bad arguments.
                            return;
                        }

                        string? pattern = StringArgument(attribute, 0);
                        _hosts ??= pattern ?? string.Empty;
                        CheckValue(pattern, "host pattern", "Hosts", "Name a host, a group or a pattern such as \"web*\".", Argument(syntax, attribute, 0) ?? attributeLocation, placeholders: false);
                        break;
                    case AttributeNames.Barrier:
                        _isBarrier = true;
                        break;
                    case AttributeNames.RemoteStep:
                        ReadStep(attribute, syntax, attributeLocation);
                        break;
                    case AttributeNames.Ship:
                        ReadTransfer(
                            attribute,
                            syntax,
                            attributeLocation,
                            "Ship",
                            "local path",
                            "Give the local file or glob to send, relative to the project directory.",
                            "remote directory",
                            "Give the directory on the host to send the files into.",
                            _ships);
                        break;
                    case AttributeNames.Fetch:
                        ReadTransfer(
                            attribute,
                            syntax,
                            attributeLocation,
                            "Fetch",
                            "remote path",
                            "Give the path of the file on the host.",
                            "local directory",
                            "Give the local directory to bring the file into, such as \"logs/{host}\".",
                            _fetches);
                        break;
                    case AttributeNames.RemoteTargets:
                        CollectStrings(attribute, _targets, new List<ReferenceLocation>(), _cancellationToken);
                        break;
                }
            }

            /// <summary>
            /// Reports what only a host task may have when the task has no <c>[Hosts]</c>. A sub sequence runs on its super
            /// sequence's hosts: it may have remote steps, ships, fetches, remote targets and a RemoteContext (not <c>[Barrier]</c>).
            /// </summary>
            public void CheckLocalTask(IMethodSymbol method, MethodDeclarationSyntax syntax, bool isSubSequence)
            {
                if (_hasHosts)
                {
                    return;
                }

                foreach (KeyValuePair<string, LocationInfo?> attribute in _remoteOnly)
                {
                    if (isSubSequence && attribute.Key != "Barrier")
                    {
                        continue;
                    }

                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RemoteAttributeWithoutHosts, attribute.Value, _taskName, attribute.Key));
                }

                if (isSubSequence)
                {
                    return;
                }

                for (int i = 0; i < method.Parameters.Length; i++)
                {
                    IParameterSymbol parameter = method.Parameters[i];
                    if (parameter.RefKind != RefKind.None || !DerivesFromRemoteContext(parameter.Type))
                    {
                        continue;
                    }

                    ParameterSyntax? parameterSyntax = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
                    _diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.RemoteContextWithoutHosts,
                        LocationInfo.From(parameterSyntax) ?? LocationInfo.From(syntax.Identifier.GetLocation()),
                        parameter.Name,
                        _taskName,
                        parameter.Type.ToDisplayString()));
                }
            }

            public RemoteSpec ToSpec() =>
                !_hasHosts && !_isBarrier && _steps.Count == 0 && _ships.Count == 0 && _fetches.Count == 0 && _targets.Count == 0
                    ? RemoteSpec.None
                    : new RemoteSpec(
                        _hasHosts ? _hosts ?? string.Empty : null,
                        _isBarrier,
                        _steps.ToEquatableArray(),
                        _ships.ToEquatableArray(),
                        _fetches.ToEquatableArray(),
                        _targets.ToEquatableArray());

            private void ReadStep(AttributeData attribute, AttributeSyntax? syntax, LocationInfo? attributeLocation)
            {
                if (attribute.AttributeConstructor is null)
                {
                    return;
                }

                string? command = StringArgument(attribute, 0);
                bool valid = CheckValue(command, "command", "RemoteStep", "Give the command line to run on each host.", Argument(syntax, attribute, 0) ?? attributeLocation, placeholders: true);

                string? user = null;
                bool sudo = false;
                int timeout = 0;
                bool hasExitCodes = false;
                var exitCodes = new List<int>();
                string? workingDirectory = null;
                foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                {
                    switch (named.Key)
                    {
                        case "User":
                            user = named.Value.Value as string;
                            break;
                        case "Sudo" when named.Value.Value is bool value:
                            sudo = value;
                            break;
                        case "TimeoutSeconds" when named.Value.Value is int value:
                            timeout = value;
                            if (value < 0)
                            {
                                valid = false;
                                _diagnostics.Add(DiagnosticInfo.Create(
                                    DiagnosticDescriptors.InvalidRemoteValue,
                                    NamedArgument(syntax, named.Key) ?? attributeLocation,
                                    _taskName,
                                    "timeout",
                                    "RemoteStep",
                                    "TimeoutSeconds is " + value.ToString(CultureInfo.InvariantCulture),
                                    "Set TimeoutSeconds to a positive number of seconds, or 0 for no limit."));
                            }

                            break;
                        case "AllowedExitCodes" when named.Value.Kind == TypedConstantKind.Array:
                            hasExitCodes = !named.Value.IsNull;
                            exitCodes.Clear();
                            if (hasExitCodes)
                            {
                                exitCodes.AddRange(named.Value.Values.Select(v => v.Value).OfType<int>());
                            }

                            break;
                        case "WorkingDirectory":
                            workingDirectory = named.Value.Value as string;
                            break;
                    }
                }

                if (valid)
                {
                    _steps.Add(new RemoteStepModel(command!, user, sudo, timeout, hasExitCodes, exitCodes.ToEquatableArray(), workingDirectory));
                }
            }

            private void ReadTransfer(
                AttributeData attribute,
                AttributeSyntax? syntax,
                LocationInfo? attributeLocation,
                string attributeName,
                string sourceWhat,
                string sourceFix,
                string destinationWhat,
                string destinationFix,
                List<TransferModel> into)
            {
                if (attribute.AttributeConstructor is null)
                {
                    return;
                }

                string? source = StringArgument(attribute, 0);
                string? destination = StringArgument(attribute, 1);
                bool valid = CheckValue(source, sourceWhat, attributeName, sourceFix, Argument(syntax, attribute, 0) ?? attributeLocation, placeholders: true);
                valid &= CheckValue(destination, destinationWhat, attributeName, destinationFix, Argument(syntax, attribute, 1) ?? attributeLocation, placeholders: true);
                if (valid)
                {
                    into.Add(new TransferModel(source!, destination!));
                }
            }

            /// <summary>Reports an empty value (ORCH0014) or a malformed placeholder (ORCH0015); true when the value is fine.</summary>
            private bool CheckValue(string? value, string what, string attributeName, string fix, LocationInfo? location, bool placeholders)
            {
                string? empty = value is null ? "it is null"
                    : value.Length == 0 ? "it is empty"
                    : string.IsNullOrWhiteSpace(value) ? "it is only whitespace"
                    : null;
                if (empty is not null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidRemoteValue, location, _taskName, what, attributeName, empty, fix));
                    return false;
                }

                string? problem = placeholders ? PlaceholderProblem(value!) : null;
                if (problem is not null)
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedPlaceholder, location, _taskName, what, value!, attributeName, problem));
                    return false;
                }

                return true;
            }

            private static string ShortName(string? kind) => kind switch
            {
                AttributeNames.Barrier => "Barrier",
                AttributeNames.RemoteStep => "RemoteStep",
                AttributeNames.Ship => "Ship",
                AttributeNames.Fetch => "Fetch",
                _ => "RemoteTargets",
            };

            /// <summary>Where a property of the attribute is set (<c>Name = value</c>).</summary>
            private static LocationInfo? NamedArgument(AttributeSyntax? syntax, string name) =>
                LocationInfo.From(syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name));

            private static bool DerivesFromRemoteContext(ITypeSymbol type)
            {
                for (INamedTypeSymbol? current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
                {
                    if (current.Name == "RemoteContext" && current.Arity == 0 && current.ContainingType is null && IsInNamespace(current, AttributeNames.Namespace))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        private static string? StringArgument(AttributeData attribute, int index) =>
            index < attribute.ConstructorArguments.Length ? attribute.ConstructorArguments[index].Value as string : null;

        /// <summary>Where the constructor argument <paramref name="index"/> is written (positionally or as <c>name:</c>).</summary>
        private static LocationInfo? Argument(AttributeSyntax? syntax, AttributeData attribute, int index)
        {
            IMethodSymbol? constructor = attribute.AttributeConstructor;
            if (syntax?.ArgumentList is null || constructor is null || index >= constructor.Parameters.Length)
            {
                return null;
            }

            string parameterName = constructor.Parameters[index].Name;
            int position = 0;
            foreach (AttributeArgumentSyntax argument in syntax.ArgumentList.Arguments)
            {
                if (argument.NameEquals is not null)
                {
                    continue;
                }

                if (argument.NameColon is not null ? argument.NameColon.Name.Identifier.ValueText == parameterName : position == index)
                {
                    return LocationInfo.From(argument.Expression);
                }

                position++;
            }

            return null;
        }

        /// <summary>
        /// Why the placeholders of a value are malformed, or null: <c>{name}</c> (a letter or <c>_</c>, then letters,
        /// digits, <c>_</c>, <c>.</c> or <c>-</c>) is a placeholder, <c>{{</c> and <c>}}</c> are literal braces.
        /// </summary>
        internal static string? PlaceholderProblem(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                bool doubled = i + 1 < value.Length && value[i + 1] == c;
                if (c == '{')
                {
                    if (doubled)
                    {
                        i++;
                        continue;
                    }

                    int end = i + 1;
                    while (end < value.Length && value[end] != '}' && value[end] != '{')
                    {
                        end++;
                    }

                    string at = " at character " + (i + 1).ToString(CultureInfo.InvariantCulture);
                    if (end == value.Length || value[end] == '{')
                    {
                        return "the '{'" + at + " is never closed";
                    }

                    string name = value.Substring(i + 1, end - i - 1);
                    if (name.Length == 0)
                    {
                        return "'{}'" + at + " names no variable";
                    }

                    if (!IsPlaceholderName(name))
                    {
                        return "'{" + name + "}'" + at + " is not a variable name (a letter or '_', then letters, digits, '_', '.' or '-')";
                    }

                    i = end;
                }
                else if (c == '}')
                {
                    if (doubled)
                    {
                        i++;
                        continue;
                    }

                    return "the '}' at character " + (i + 1).ToString(CultureInfo.InvariantCulture) + " closes no '{'";
                }
            }

            return null;
        }

        private static bool IsPlaceholderName(string name)
        {
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
                bool rest = (c >= '0' && c <= '9') || c == '.' || c == '-';
                if (!(letter || (i > 0 && rest)))
                {
                    return false;
                }
            }

            return name.Length > 0;
        }
    }
}
