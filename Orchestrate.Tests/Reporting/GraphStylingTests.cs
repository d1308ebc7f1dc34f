using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Reporting;

[TestFixture]
public class GraphStylingTests
{
    private static CliHarness Project()
    {
        var cli = new CliHarness();
        cli.Add("build");
        cli.Tasks.Add(new TaskDescriptor { Name = "deploy", Method = "Tests.deploy", DependsOn = ["build"], Critical = true, Invoke = _ => ValueTask.FromResult<object?>(null) });
        cli.Tasks.Add(new TaskDescriptor { Name = "monitor", Method = "Tests.monitor", IsForever = true, Invoke = _ => ValueTask.FromResult<object?>(null) });
        return cli;
    }

    [Test]
    public async Task Dot_draws_critical_tasks_with_a_red_border_and_forever_tasks_dashed()
    {
        using var cli = Project();

        var result = await cli.RunAsync("graph");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Lines, Does.Contain("  \"deploy\" [color=red, penwidth=2];"));
        Assert.That(result.Lines, Does.Contain("  \"monitor\" [style=\"rounded,dashed\"];"));
        Assert.That(result.Lines, Does.Contain("  \"build\";"));
        Assert.That(result.Lines, Does.Contain("  \"build\" -> \"deploy\";"));
    }

    [Test]
    public async Task Mermaid_styles_them_with_class_definitions()
    {
        using var cli = Project();

        var result = await cli.RunAsync("graph", "--format", "mermaid");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[]
        {
            "flowchart LR",
            "  t0[\"build\"]",
            "  t1[\"deploy\"]",
            "  t2[\"monitor\"]",
            "  t0 --> t1",
            "  classDef critical stroke:#d00,stroke-width:2px;",
            "  class t1 critical;",
            "  classDef forever stroke-dasharray:5 5;",
            "  class t2 forever;",
        }));
    }
}
