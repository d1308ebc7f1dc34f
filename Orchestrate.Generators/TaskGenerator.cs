using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Orchestrate.Generators
{
    /// <summary>
    /// Finds <c>[Task]</c> methods, checks the task graph at compile time (ORCH0001-ORCH0027), and emits a
    /// catalog of <c>TaskDescriptor</c>s that a module initializer registers with <c>TaskCatalog</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class TaskGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // (1) One model per [Task] method: everything the later steps need, as plain values.
            // Symbols are only consulted when some tree's declarations changed (see TreeInfo): an edit inside a
            // method body reuses the models of the previous run and only moves their locations.
            IncrementalValuesProvider<TreeInfo> trees = context.CompilationProvider
                .SelectMany(static (compilation, _) => compilation.SyntaxTrees)
                .Select(static (tree, cancellationToken) => TreeInfo.Create(tree, cancellationToken));
            IncrementalValueProvider<ImmutableArray<TreeInfo>> allTrees = trees.Collect();

            IncrementalValuesProvider<TaskModel> models = allTrees
                .Combine(context.CompilationProvider)
                .Select(static (pair, _) => new DeclarationGate(pair.Right, pair.Left))
                .WithComparer(DeclarationGate.Comparer)
                .SelectMany(static (gate, cancellationToken) => DeclarationIndex.FindTasks(gate, cancellationToken))
                .Combine(allTrees)
                .Select(static (pair, _) => DeclarationIndex.ToText(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.TaskModels);

            // (2) Location-free specs feed the catalog, so moving code does not re-emit it.
            IncrementalValueProvider<CatalogModel> catalog = models
                .Select(static (model, _) => model.Spec)
                .WithTrackingName(TrackingNames.TaskSpecs)
                .Collect()
                .Select(static (specs, cancellationToken) => CatalogBuilder.Build(specs, cancellationToken))
                .WithTrackingName(TrackingNames.Catalog);

            context.RegisterSourceOutput(catalog, static (spc, model) =>
            {
                if (model.Entries.Count > 0)
                {
                    spc.AddSource(CatalogEmitter.HintName, SourceText.From(CatalogEmitter.Emit(model), Encoding.UTF8));
                }
            });

            // (3) Graph checks need every task, and only the tasks (never the compilation).
            IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = models
                .Collect()
                .Select(static (all, cancellationToken) => GraphAnalyzer.Analyze(all, cancellationToken))
                .WithTrackingName(TrackingNames.Diagnostics);

            context.RegisterSourceOutput(diagnostics, static (spc, infos) =>
            {
                foreach (DiagnosticInfo info in infos)
                {
                    spc.ReportDiagnostic(info.ToDiagnostic());
                }
            });
        }
    }
}
