using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Orchestrate.Tests.EndToEnd;
using Orchestrate.Tests.Generators;

namespace Orchestrate.Tests.Docs;

/// <summary>
/// The README's C# compiles as written: every <c>csharp</c> block, with the generator, gives no compiler error and
/// no diagnostic of Orchestrate's (a block of members is compiled as the body of a class; the first project's
/// blocks, marked <c>&lt;!-- first-project: File.cs --&gt;</c>, are built from the packages and run by
/// <see cref="PackagedProjectTests"/>). Links from the README to docs/ lead to files that exist.
/// </summary>
[TestFixture]
public partial class ReadmeCodeTests
{
    [GeneratedRegex(@"(?:<!-- first-project: (?<file>\S+) -->\s*\n)?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\]\((?<path>docs/[^)#]+)")]
    private static partial Regex DocLink();

    private static string Readme => File.ReadAllText(Path.Combine(Shell.RepositoryRoot(), "README.md"));

    /// <summary>The first project's files, as the README shows them.</summary>
    public static IReadOnlyDictionary<string, string> FirstProject() =>
        CSharpBlock().Matches(Readme).Where(m => m.Groups["file"].Success).ToDictionary(m => m.Groups["file"].Value, m => m.Groups["code"].Value);

    public static IEnumerable<TestCaseData> Blocks() =>
        CSharpBlock().Matches(Readme)
            .Where(m => !m.Groups["file"].Success)
            .Select((m, i) => new TestCaseData(m.Groups["code"].Value).SetArgDisplayNames($"block {i + 1}"));

    [Test]
    public void The_first_project_is_marked_in_the_README()
    {
        Assert.That(FirstProject().Keys, Is.EquivalentTo(new[] { "Program.cs", "Tasks.cs" }));
    }

    [Test]
    public void The_first_projects_tasks_compile_with_the_generator()
    {
        // dotnet new console turns ImplicitUsings on: these namespaces are imported in every file.
        const string ImplicitUsings = "using System;\nusing System.Collections.Generic;\nusing System.IO;\nusing System.Linq;\nusing System.Threading;\nusing System.Threading.Tasks;\n";
        var result = GeneratorHarness.Run(ImplicitUsings + FirstProject()["Tasks.cs"], withUsings: false);

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        Assert.That(result.GeneratedSource, Does.Contain("Name = \"announce\""));
    }

    [TestCaseSource(nameof(Blocks))]
    public void A_README_block_compiles_with_the_generator(string code)
    {
        // Members alone (the usual snippet) stand in a class of their own.
        var source = GeneratorHarness.Usings + "using System.Collections.Generic;\nusing System.IO;\nusing System.Linq;\n"
            + (code.Contains("class ", StringComparison.Ordinal) ? code : $"public static class Snippet\n{{\n{code}\n}}\n");

        var result = GeneratorHarness.Run(source, withUsings: false);

        Assert.That(result.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, source);
        Assert.That(result.Diagnostics, Is.Empty, source);
        Assert.That(result.OutputErrors, Is.Empty, source);
    }

    [Test]
    public void Every_docs_link_of_the_README_leads_to_a_file()
    {
        var links = DocLink().Matches(Readme).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.That(links, Is.Not.Empty);
        foreach (var link in links)
        {
            Assert.That(File.Exists(Path.Combine(Shell.RepositoryRoot(), link)), Is.True, link);
        }
    }
}
