using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>Turns one <c>[Task]</c> method into a <see cref="TaskModel"/> (the only place that sees symbols).</summary>
    internal static partial class TaskModelFactory
    {
        private static readonly SymbolDisplayFormat TypeDisplayFormat = new SymbolDisplayFormat(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

        /// <summary>Builds the model of one <c>[Task]</c> method, given its first <c>[Task]</c> attribute.</summary>
        public static TaskModel Create(
            SemanticModel semanticModel,
            MethodDeclarationSyntax syntax,
            IMethodSymbol method,
            AttributeData taskAttribute,
            TypeNames names,
            CancellationToken cancellationToken)
        {
            INamedTypeSymbol type = method.ContainingType;
            var diagnostics = new List<DiagnosticInfo>();

            LocationInfo? taskLocation = AttributeLocation(taskAttribute, cancellationToken) ?? LocationInfo.From(syntax.Identifier.GetLocation());

            string typeDisplay = names.Display(type, TypeDisplayFormat);
            string methodDisplay = typeDisplay + "." + method.Name;

            // Name, doc, default.
            string? explicitName = null;
            string? doc = null;
            bool isDefault = false;
            if (taskAttribute.ConstructorArguments.Length == 1 && taskAttribute.ConstructorArguments[0].Value is string ctorName)
            {
                explicitName = ctorName;
            }

            foreach (KeyValuePair<string, TypedConstant> named in taskAttribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Name" when named.Value.Value is string value:
                        explicitName = value;
                        break;
                    case "Doc" when named.Value.Value is string value:
                        doc = value;
                        break;
                    case "Default" when named.Value.Value is bool value:
                        isDefault = value;
                        break;
                }
            }

            string name = explicitName ?? Naming.ToKebabCase(method.Name);
            doc ??= DocComments.FirstSentenceOfSummary(syntax);
            bool canEmit = true;

            string? invalidName = Naming.ValidateTaskName(name);
            if (invalidName is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, taskLocation, name, methodDisplay, invalidName));
                canEmit = false;
            }

            // Method shape.
            ReturnKind returnKind = ClassifyReturn(method, out string? returnProblem, out bool returnHasErrors);
            string[]? shapeProblem = ShapeProblem(method, type) ?? (returnProblem is null
                ? null
                : new[] { returnProblem, "Return void, Task, ValueTask, Task<T>, ValueTask<T> or a value." });
            if (shapeProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedMethod, taskLocation, methodDisplay, shapeProblem[0], shapeProblem[1]));
                canEmit = false;
            }

            if (returnHasErrors || type.TypeKind == TypeKind.Error)
            {
                canEmit = false;
            }

            // Parameters.
            var parameters = new List<ParameterSpec>();
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                ParameterSpec? spec = ClassifyParameter(parameter, names, out string? problem);
                if (spec is not null)
                {
                    parameters.Add(spec);
                    continue;
                }

                canEmit = false;
                if (problem is not null)
                {
                    ParameterSyntax? parameterSyntax = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
                    LocationInfo? location = LocationInfo.From(parameterSyntax) ?? taskLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, name, problem));
                }
            }

            // Graph attributes.
            var dependsOn = new List<string>();
            var dependsOnLocations = new List<ReferenceLocation>();
            string? createAfter = null;
            ReferenceLocation? createAfterLocation = null;
            var fileDeps = new List<string>();
            var fileDepLocations = new List<ReferenceLocation>();
            var targets = new List<string>();
            var targetLocations = new List<ReferenceLocation>();
            var rules = new List<RuleSpec>();
            var resultDepLocations = new List<ReferenceLocation>();
            MethodRef? clean = null;
            var rulesContext = new RuleContext(semanticModel, syntax, type, name, names, diagnostics, cancellationToken);
            var remote = new RemoteReader(name, diagnostics, cancellationToken);
            RunControlReader? runControl = null;
            RemoteSequenceReader? remoteSequence = null;

            foreach (AttributeData attribute in method.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? attributeName = MetadataName(attribute.AttributeClass);
                switch (attributeName)
                {
                    case AttributeNames.DependsOn:
                        CollectStrings(attribute, dependsOn, dependsOnLocations, cancellationToken);
                        break;
                    case AttributeNames.FileDep:
                        CollectStrings(attribute, fileDeps, fileDepLocations, cancellationToken);
                        break;
                    case AttributeNames.Targets:
                        CollectStrings(attribute, targets, targetLocations, cancellationToken);
                        break;
                    case AttributeNames.CreateAfter:
                        var createAfterValues = new List<string>();
                        var createAfterLocations = new List<ReferenceLocation>();
                        CollectStrings(attribute, createAfterValues, createAfterLocations, cancellationToken);
                        if (createAfterValues.Count > 0)
                        {
                            createAfter = createAfterValues[0];
                            createAfterLocation = createAfterLocations[0];
                        }

                        break;
                    case AttributeNames.RunOnce:
                        rules.Add(new RuleSpec(UpToDateRuleKind.RunOnce, string.Empty, null, 0, null));
                        break;
                    case AttributeNames.ResultDep:
                        var resultDeps = new List<string>();
                        CollectStrings(attribute, resultDeps, resultDepLocations, cancellationToken);
                        rules.AddRange(resultDeps.Select(r => new RuleSpec(UpToDateRuleKind.ResultDep, r, null, 0, null)));
                        break;
                    case AttributeNames.ExpiresAfter:
                        AddIfNotNull(rules, ReadExpiresAfter(attribute, rulesContext));
                        break;
                    case AttributeNames.TimestampUnchanged:
                        AddIfNotNull(rules, ReadTimestampUnchanged(attribute));
                        break;
                    case AttributeNames.ConfigChanged:
                        AddIfNotNull(rules, ReadMethodRule(attribute, MethodRole.ConfigChanged, rulesContext));
                        break;
                    case AttributeNames.UpToDateIf:
                        AddIfNotNull(rules, ReadMethodRule(attribute, MethodRole.UpToDateIf, rulesContext));
                        break;
                    case AttributeNames.Clean:
                        clean = ResolveRuleMethod(attribute, MethodRole.Clean, rulesContext, out _);
                        break;
                    case AttributeNames.Hosts:
                    case AttributeNames.Barrier:
                    case AttributeNames.RemoteStep:
                    case AttributeNames.Ship:
                    case AttributeNames.Fetch:
                    case AttributeNames.RemoteTargets:
                        remote.Read(attributeName, attribute);
                        break;
                    case AttributeNames.Critical:
                    case AttributeNames.Forever:
                    case AttributeNames.Timeout:
                    case AttributeNames.Resource:
                    case AttributeNames.Sequence:
                        // Created on first use: a task without these attributes pays nothing for them.
                        runControl ??= new RunControlReader(name, diagnostics, cancellationToken);
                        runControl.Read(attributeName, attribute);
                        break;
                    case AttributeNames.LocalPre:
                    case AttributeNames.LocalPost:
                    case AttributeNames.SubSequenceOf:
                    case AttributeNames.ForEach:
                        remoteSequence ??= new RemoteSequenceReader(rulesContext);
                        remoteSequence.Read(attributeName, attribute);
                        break;
                }
            }

            remote.CheckLocalTask(method, syntax, isSubSequence: remoteSequence?.IsSubSequence == true);
            remoteSequence?.CheckPlacement(remote.HasHosts, remote.HostsLocation);
            RemoteSpec remoteSpec = remote.ToSpec();
            runControl?.CheckForeverTargets(targets.Count > 0, remoteSpec.Targets.Count > 0);
            if (runControl is not null)
            {
                RunControlSpec control = runControl.ToSpec();
                remoteSequence?.CheckSingleNode(control.IsForever, control.Sequence.Count > 0);
            }

            var taskSpec = new TaskSpec(
                Name: name,
                MethodName: method.Name,
                TypeName: type.Name,
                TypeDisplayName: typeDisplay,
                TypeFullName: names.FullyQualified(type),
                Doc: doc,
                IsDefault: isDefault,
                IsStatic: method.IsStatic,
                ReturnKind: returnKind,
                Parameters: parameters.ToEquatableArray(),
                DependsOn: dependsOn.ToEquatableArray(),
                CreateAfter: createAfter,
                FileDeps: fileDeps.ToEquatableArray(),
                Targets: targets.ToEquatableArray(),
                UpToDate: rules.ToEquatableArray(),
                Clean: clean,
                Remote: remoteSpec,
                RunControl: runControl?.ToSpec() ?? RunControlSpec.None,
                RemoteSequence: remoteSequence?.ToSpec() ?? RemoteSequenceSpec.None,
                CanEmit: canEmit);

            return new TaskModel(
                taskSpec,
                taskLocation,
                dependsOnLocations.ToEquatableArray(),
                createAfterLocation,
                fileDepLocations.ToEquatableArray(),
                targetLocations.ToEquatableArray(),
                resultDepLocations.ToEquatableArray(),
                runControl?.SequenceLocations ?? EquatableArray<ReferenceLocation>.Empty,
                remoteSequence?.SubSequenceOfLocation,
                diagnostics.ToEquatableArray());
        }

        /// <summary>The metadata name of an attribute class declared directly in the Orchestrate namespace, else null.</summary>
        private static string? MetadataName(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null
                || attributeClass.ContainingType is not null
                || attributeClass.ContainingNamespace is not { Name: AttributeNames.Namespace } ns
                || ns.ContainingNamespace is not { IsGlobalNamespace: true })
            {
                return null;
            }

            // The full name without building a string per attribute.
            return attributeClass.MetadataName switch
            {
                "DependsOnAttribute" => AttributeNames.DependsOn,
                "FileDepAttribute" => AttributeNames.FileDep,
                "TargetsAttribute" => AttributeNames.Targets,
                "CreateAfterAttribute" => AttributeNames.CreateAfter,
                "RunOnceAttribute" => AttributeNames.RunOnce,
                "ResultDepAttribute" => AttributeNames.ResultDep,
                "ExpiresAfterAttribute" => AttributeNames.ExpiresAfter,
                "TimestampUnchangedAttribute" => AttributeNames.TimestampUnchanged,
                "ConfigChangedAttribute" => AttributeNames.ConfigChanged,
                "UpToDateIfAttribute" => AttributeNames.UpToDateIf,
                "CleanAttribute" => AttributeNames.Clean,
                "HostsAttribute" => AttributeNames.Hosts,
                "BarrierAttribute" => AttributeNames.Barrier,
                "RemoteStepAttribute" => AttributeNames.RemoteStep,
                "ShipAttribute" => AttributeNames.Ship,
                "FetchAttribute" => AttributeNames.Fetch,
                "RemoteTargetsAttribute" => AttributeNames.RemoteTargets,
                "CriticalAttribute" => AttributeNames.Critical,
                "ForeverAttribute" => AttributeNames.Forever,
                "TimeoutAttribute" => AttributeNames.Timeout,
                "ResourceAttribute" => AttributeNames.Resource,
                "SequenceAttribute" => AttributeNames.Sequence,
                "LocalPreAttribute" => AttributeNames.LocalPre,
                "LocalPostAttribute" => AttributeNames.LocalPost,
                "SubSequenceOfAttribute" => AttributeNames.SubSequenceOf,
                "ForEachAttribute" => AttributeNames.ForEach,
                _ => null,
            };
        }

        private static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference is { } reference ? LocationInfo.From(reference.GetSyntax(cancellationToken)) : null;

        /// <summary>Reads the string values of a params-string attribute, with a location for each value.</summary>
        private static void CollectStrings(AttributeData attribute, List<string> values, List<ReferenceLocation> locations, CancellationToken cancellationToken)
        {
            var strings = new List<string?>();
            foreach (TypedConstant argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Array)
                {
                    if (!argument.IsNull)
                    {
                        strings.AddRange(argument.Values.Select(v => v.Value as string));
                    }
                }
                else
                {
                    strings.Add(argument.Value as string);
                }
            }

            SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            LocationInfo? attributeLocation = LocationInfo.From(syntax);
            IReadOnlyList<ExpressionSyntax> expressions = ValueExpressions(syntax as AttributeSyntax, strings.Count);
            for (int i = 0; i < strings.Count; i++)
            {
                string? value = strings[i];
                if (value is null)
                {
                    continue;
                }

                values.Add(value);
                LocationInfo? argumentLocation = expressions.Count == strings.Count ? LocationInfo.From(expressions[i]) : null;
                locations.Add(new ReferenceLocation(attributeLocation, argumentLocation));
            }
        }

        private static IReadOnlyList<ExpressionSyntax> ValueExpressions(AttributeSyntax? attribute, int count)
        {
            if (attribute?.ArgumentList is null)
            {
                return Array.Empty<ExpressionSyntax>();
            }

            List<ExpressionSyntax> positional = attribute.ArgumentList.Arguments
                .Where(a => a.NameEquals is null && a.NameColon is null)
                .Select(a => a.Expression)
                .ToList();
            if (positional.Count == count)
            {
                return positional;
            }

            if (positional.Count == 1)
            {
                switch (positional[0])
                {
                    case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                        return initializer.Expressions;
                    case ImplicitArrayCreationExpressionSyntax implicitArray:
                        return implicitArray.Initializer.Expressions;
                    case CollectionExpressionSyntax collection:
                        return collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).ToList();
                }
            }

            return Array.Empty<ExpressionSyntax>();
        }

        /// <summary>The first reason the method cannot be called by generated code, with its fix.</summary>
        private static string[]? ShapeProblem(IMethodSymbol method, INamedTypeSymbol type)
        {
            if (method.IsGenericMethod)
            {
                return new[] { "it is generic", "Remove its type parameters." };
            }

            if (!IsAccessibleInAssembly(method.DeclaredAccessibility))
            {
                return new[] { "it is " + AccessibilityText(method.DeclaredAccessibility), "Make it public or internal." };
            }

            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.IsFileLocal)
                {
                    return new[] { "its containing type '" + current.Name + "' is file-local", "Remove the 'file' modifier of the type." };
                }

                if (!IsAccessibleInAssembly(current.DeclaredAccessibility))
                {
                    return new[]
                    {
                        "its containing type '" + current.ToDisplayString(TypeDisplayFormat) + "' is " + AccessibilityText(current.DeclaredAccessibility),
                        "Make the type public or internal.",
                    };
                }
            }

            for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            {
                if (current.IsGenericType)
                {
                    return new[]
                    {
                        "its containing type '" + current.ToDisplayString(TypeDisplayFormat) + "' is generic",
                        "Move the method to a non-generic type.",
                    };
                }
            }

            if (method.IsAbstract)
            {
                return new[] { "it is abstract", "Give the task a body in a concrete class." };
            }

            if (!method.IsStatic)
            {
                string typeName = type.ToDisplayString(TypeDisplayFormat);
                if (type.TypeKind == TypeKind.Interface)
                {
                    return new[] { "it is an instance method of interface '" + typeName + "'", "Make the method static or move it to a class." };
                }

                if (type.TypeKind == TypeKind.Struct)
                {
                    return new[] { "it is an instance method of struct '" + typeName + "'", "Make the method static or move it to a class." };
                }

                if (type.IsStatic)
                {
                    return new[] { "it is an instance method of static class '" + typeName + "'", "Make the method static." };
                }

                if (type.IsAbstract)
                {
                    return new[]
                    {
                        "it is an instance method of abstract class '" + typeName + "', which cannot be created",
                        "Make the method static or move it to a concrete class.",
                    };
                }

                if (type.TypeKind != TypeKind.Class)
                {
                    return new[] { "it is an instance method of '" + typeName + "', which is not a class", "Make the method static or move it to a class." };
                }
            }

            return null;
        }

        private static bool IsAccessibleInAssembly(Accessibility accessibility) =>
            accessibility == Accessibility.Public
            || accessibility == Accessibility.Internal
            || accessibility == Accessibility.ProtectedOrInternal;

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Private => "private",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "not accessible",
        };

        private static ReturnKind ClassifyReturn(IMethodSymbol method, out string? problem, out bool hasErrors)
        {
            problem = null;
            ITypeSymbol returnType = method.ReturnType;
            hasErrors = ContainsErrors(returnType);
            if (method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                problem = "it returns by reference";
                return ReturnKind.Value;
            }

            if (method.ReturnsVoid)
            {
                return ReturnKind.Void;
            }

            if (returnType is INamedTypeSymbol named && IsInNamespace(named, "System", "Threading", "Tasks")
                && (named.Name == "Task" || named.Name == "ValueTask") && named.ContainingType is null)
            {
                if (named.Arity == 0)
                {
                    return ReturnKind.Awaitable;
                }

                if (named.Arity == 1)
                {
                    return ReturnKind.AwaitableOfT;
                }
            }

            if (returnType.TypeKind == TypeKind.Pointer || returnType.TypeKind == TypeKind.FunctionPointer || returnType.IsRefLikeType)
            {
                problem = "its return type '" + returnType.ToDisplayString() + "' cannot be converted to object";
            }

            return ReturnKind.Value;
        }

        private static ParameterSpec? ClassifyParameter(IParameterSymbol parameter, TypeNames names, out string? problem)
        {
            problem = null;
            ITypeSymbol type = parameter.Type;
            if (ContainsErrors(type))
            {
                // The compiler already reports the missing type.
                return null;
            }

            if (parameter.RefKind != RefKind.None)
            {
                string modifier = parameter.RefKind switch
                {
                    RefKind.Ref => "ref",
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    _ => "ref readonly",
                };
                problem = "is passed by '" + modifier + "'";
                return null;
            }

            string fullName = names.FullyQualified(type);
            if (DerivesFromTaskContext(type, out bool exact))
            {
                return new ParameterSpec(exact ? ParameterKind.Context : ParameterKind.ContextSubclass, fullName);
            }

            if (type is INamedTypeSymbol { Name: "CancellationToken", Arity: 0, ContainingType: null } token && IsInNamespace(token, "System", "Threading"))
            {
                return new ParameterSpec(ParameterKind.CancellationToken, fullName);
            }

            bool supported = type.SpecialType != SpecialType.System_String
                && (type.TypeKind == TypeKind.Class || type.TypeKind == TypeKind.Interface || type.TypeKind == TypeKind.Delegate);
            if (supported)
            {
                return new ParameterSpec(ParameterKind.Service, fullName);
            }

            problem = "has type '" + type.ToDisplayString() + "'";
            return null;
        }

        private static bool DerivesFromTaskContext(ITypeSymbol type, out bool exact)
        {
            exact = false;
            bool first = true;
            for (INamedTypeSymbol? current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
            {
                if (current.Name == "TaskContext" && current.Arity == 0 && current.ContainingType is null && IsInNamespace(current, AttributeNames.Namespace))
                {
                    exact = first;
                    return true;
                }

                first = false;
            }

            return false;
        }

        private static bool IsInNamespace(ISymbol symbol, params string[] parts)
        {
            INamespaceSymbol? ns = symbol.ContainingNamespace;
            for (int i = parts.Length - 1; i >= 0; i--)
            {
                if (ns is null || ns.Name != parts[i])
                {
                    return false;
                }

                ns = ns.ContainingNamespace;
            }

            return ns is { IsGlobalNamespace: true };
        }

        private static bool ContainsErrors(ITypeSymbol type)
        {
            switch (type)
            {
                case IErrorTypeSymbol:
                    return true;
                case IArrayTypeSymbol array:
                    return ContainsErrors(array.ElementType);
                case IPointerTypeSymbol pointer:
                    return ContainsErrors(pointer.PointedAtType);
                case INamedTypeSymbol named:
                    ImmutableArray<ITypeSymbol> arguments = named.TypeArguments;
                    foreach (ITypeSymbol argument in arguments)
                    {
                        if (ContainsErrors(argument))
                        {
                            return true;
                        }
                    }

                    return named.ContainingType is not null && ContainsErrors(named.ContainingType);
                default:
                    return false;
            }
        }
    }
}
